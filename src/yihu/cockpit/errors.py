"""The cockpit's error codes."""

from yihu.errors import code

PERIOD_INVALID = code("cockpit.period_invalid", 422, "统计时段无效：开始日期须早于结束日期，且不超过{max_days}天。",
                      "Invalid period: the start must be before the end, {max_days} days at most.")
