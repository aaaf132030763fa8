from yihu.errors import code

QUEUE_NOT_FOUND = code("queue.not_found", 404, "未找到该队列。", "The queue was not found.")
ENTRY_NOT_FOUND = code("queue.entry_not_found", 404, "未找到该排队记录。", "The queue entry was not found.")
CHECKIN_STATE = code("queue.checkin_state", 409, "该预约当前状态为{status}，不能签到。",
                     "The appointment is {status} and cannot be checked in.")
CHECKIN_TOO_EARLY = code("queue.checkin_too_early", 409, "签到尚未开始：就诊前{minutes}分钟内可签到。",
                         "Check-in is not open yet: it opens {minutes} minutes before the visit.")
CHECKIN_TOO_LATE = code("queue.checkin_too_late", 409, "已过签到时间，请到窗口咨询。",
                        "Check-in has closed for this visit; please ask at the desk.")
ALREADY_QUEUED = code("queue.already_queued", 409, "该就诊人已在此队列中。", "This patient is already in this queue.")
NOT_TODAY = code("queue.not_today", 409, "该排班今天没有出诊，不能登记现场就诊。",
                 "This schedule has no session today; walk-ins cannot be registered.")
CURRENT_OPEN = code("queue.current_open", 409, "请先完成或过号当前患者（{number}号）。",
                    "Finish or pass the current patient (number {number}) first.")
NOBODY_WAITING = code("queue.nobody_waiting", 409, "当前没有候诊患者。", "Nobody is waiting.")
NOBODY_CALLED = code("queue.nobody_called", 409, "当前没有正在叫号的患者。", "Nobody is being called.")
STREAM_TOKEN = code("queue.stream_token_invalid", 401, "实时推送凭证无效或已过期，请刷新页面。",
                    "The live-update token is invalid or expired; reload the page.")
TOO_MANY_WATCHERS = code("queue.too_many_watchers", 503, "实时推送连接已满，请稍后再试。",
                         "Too many live connections right now; please try again shortly.")
