"""Error codes of shifts and the dispatcher (plan codes shared with the rest of nursing live in errors.py)."""

from yihu.errors import code

SHIFT_INVALID = code("nursing.shift_invalid", 422,
                     "班次无效：须为今天或以后的日期，结束晚于开始，起点坐标有效。",
                     "Invalid shift: a day from today on, its end after its start, valid start coordinates.")
SHIFT_NOT_FOUND = code("nursing.shift_not_found", 404, "未找到该班次。", "The shift was not found.")
NOT_OUR_NURSE = code("nursing.not_our_nurse", 404, "该护士未在本机构执业注册。",
                     "This nurse is not registered at the institution.")
PLAN_NOT_PROPOSED = code("nursing.plan_not_proposed", 409, "该派单方案已{status}，不能再修改或确认。",
                         "The dispatch plan is already {status}; it cannot be changed or confirmed.")
PLAN_STOP_INVALID = code("nursing.plan_stop_invalid", 422,
                         "调整无效：订单须在本方案中，开始时间须在服务当天，两名护士须不同。",
                         "Invalid change: the order must be in this plan, the start on its service day, "
                         "and two different nurses.")
PLAN_OVERLAP = code("nursing.plan_overlap", 409, "该护士在方案中此时段已有其他上门服务。",
                    "This nurse already has another visit at that time in the plan.")
DAY_INVALID = code("nursing.plan_day_invalid", 422, "只能为今天或以后的日期派单。",
                   "Dispatch plans are made for today or a later day.")
NO_SHIFT = code("nursing.nurse_no_shift", 422, "该护士当天没有上门班次，请先排班。",
                "This nurse has no home-care shift that day; set one first.")
