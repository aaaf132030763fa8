from yihu.errors import code

BAD_PROBLEM = code("nursing.dispatch_bad_problem", 422, "派单问题数据有误：{reason}。",
                   "The dispatch problem is malformed: {reason}.")
