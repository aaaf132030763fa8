"""Home nursing's error codes: stable ``code``, zh-CN and English messages, never personal data."""

from yihu.errors import code

ITEM_NOT_FOUND = code("nursing.item_not_found", 404, "未找到该护理服务项目。", "The nursing service item was not found.")
ITEM_CODE_TAKEN = code("nursing.item_code_taken", 409, "项目编码{item_code}已存在。", "Item code {item_code} is taken.")
ITEM_INVALID = code("nursing.item_invalid", 422, "服务项目信息有误：{detail}", "Invalid service item: {detail}")
NOT_OFFERED = code("nursing.item_not_offered", 422, "该机构未开展此护理服务项目。",
                   "This institution does not offer this nursing service item.")
ORDER_NOT_FOUND = code("nursing.order_not_found", 404, "未找到该护理订单。", "The nursing order was not found.")
ILLEGAL_STEP = code("nursing.illegal_step", 409, "订单当前状态为“{status}”，不能执行“{action}”。",
                    "The order is '{status}'; '{action}' is not allowed now.")
WINDOW_INVALID = code("nursing.window_invalid", 422, "上门时间段无效：须为今天之后{max_days}天内、同一天、结束晚于开始的时间段。",
                      "Invalid time window: one day within the next {max_days} days, with its end after its start.")
LOCATION_INVALID = code("nursing.location_invalid", 422, "地址坐标无效。", "The address coordinates are invalid.")
SERIES_INVALID = code("nursing.series_invalid", 422,
                      "连续护理计划无效：每段需间隔1–30天、次数1–60次，合计不超过{max_visits}次。",
                      "Invalid recurring plan: each phase needs an interval of 1–30 days and 1–60 visits, "
                      "{max_visits} visits at most in all.")
BLACKLISTED = code("nursing.recipient_barred", 403, "该服务对象已被本机构列入黑名单，暂不能下单。",
                   "This service recipient is barred by the institution and cannot order now.")
REASON_REQUIRED = code("nursing.reason_required", 422, "请填写原因。", "A reason is required.")
NOT_ELIGIBLE = code("nursing.nurse_not_eligible", 409, "该护士不符合派单条件：{reasons}",
                    "This nurse may not be dispatched: {reasons}")
NURSE_BUSY = code("nursing.nurse_busy", 409, "该护士在此时段已有其他上门服务。",
                  "This nurse already has another visit at that time.")
SECOND_NURSE_REQUIRED = code("nursing.second_nurse_required", 422, "该项目需两名护士同时上门，请指派第二名护士。",
                             "This item needs two nurses; assign a second one.")
NOT_ASSIGNED_NURSE = code("nursing.not_assigned_nurse", 403, "只有被指派的护士可以执行此操作。",
                          "Only the assigned nurse may do this.")
DOCUMENT_INVALID = code("nursing.document_invalid", 422, "附件须为 JPEG、PNG 或 PDF，且不超过{max_kb}KB。",
                        "Attachments must be JPEG, PNG or PDF, at most {max_kb} KB.")
PLAN_NOT_FOUND = code("nursing.plan_not_found", 404, "未找到该派单方案。", "The dispatch plan was not found.")
PLAN_STALE = code("nursing.plan_stale", 409, "派单方案已过期（订单已变化），请重新生成。",
                  "The dispatch plan is out of date (orders changed); propose a new one.")
