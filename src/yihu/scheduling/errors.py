from yihu.errors import code

SCHEDULE_KIND = code("schedule.kind_invalid", 422, "排班类型应为医生、科室或检查资源。",
                     "A schedule is for a doctor, a department or an exam resource.")
SCHEDULE_TARGET = code("schedule.target_invalid", 422, "排班的医生、科室或检查资源须属于本机构。",
                       "The schedule's doctor, department or exam resource must belong to this institution.")
SCHEDULE_CLASS = code("schedule.slot_class_invalid", 422, "号别应为普通、专家或特需。",
                      "The slot class is general, expert or special.")
SCHEDULE_SESSION = code("schedule.session_invalid", 422, "出诊时段无效：星期0–6，时段上午/下午/晚上，开始早于结束。",
                        "Invalid session: weekday 0-6, period morning/afternoon/evening, start before end.")
SCHEDULE_TIME = code("schedule.time_invalid", 422, "时间格式应为 HH:MM。", "Times are written HH:MM.")
SLOT_NOT_FOUND = code("booking.slot_not_found", 404, "未找到该号源。", "The slot was not found.")
NOT_RELEASED = code("booking.not_released", 409, "该号源尚未放号，请在放号时间后再预约。",
                    "This slot is not released yet; book after its release time.")
SLOT_PAST = code("booking.slot_past", 409, "该号源时间已过。", "This slot is already in the past.")
SLOT_TAKEN = code("booking.slot_taken", 409, "该号源已约满，请选择其他时段。",
                  "This slot is fully booked; please choose another time.")
SLOT_STOPPED = code("booking.slot_stopped", 409, "该时段已停诊。", "This session was cancelled (停诊).")
ONE_PER_DAY = code("booking.one_per_doctor_per_day", 409, "同一就诊人同一天同一医生只能预约一个号。",
                   "A patient books one slot per doctor per day.")
TOO_MANY_OPEN = code("booking.too_many_open", 409, "该就诊人未就诊的预约已达{limit}个上限。",
                     "This patient already has {limit} open bookings, the most allowed.")
BARRED = code("booking.barred_for_no_shows", 403, "90天内爽约{count}次，{until}前暂停预约。",
              "{count} missed appointments in 90 days: booking is suspended until {until}.")
APPOINTMENT_NOT_FOUND = code("booking.appointment_not_found", 404, "未找到该预约。", "The appointment was not found.")
CANCEL_STATE = code("booking.cannot_cancel", 409, "该预约当前状态为{status}，不能取消。",
                    "The appointment is {status} and cannot be cancelled.")
CANCEL_WINDOW = code("booking.cancel_window_closed", 409, "就诊前{minutes}分钟内不能在线取消，请联系医院。",
                     "Online cancellation closes {minutes} minutes before the visit; please contact the hospital.")
EXAM_NEEDS_ORDER = code("booking.exam_needs_order", 422, "该检查须凭医生开具的检查单预约。",
                        "This exam is booked only with a doctor's exam order.")
RANGE_INVALID = code("schedule.range_invalid", 422, "日期范围无效（结束不早于开始，最多120天）。",
                     "Invalid date range (end not before start, at most 120 days).")
