from yihu.errors import code

REPORT_NOT_FOUND = code("report.not_found", 404, "未找到该报告。", "The report was not found.")
KIND_CONTENT = code("report.content_invalid", 422,
                    "检验报告须至少有一项结果；检查报告须有检查结论。",
                    "A lab report needs at least one result; an imaging report needs a conclusion.")
VALUE_INVALID = code("report.value_invalid", 422,
                     "第{index}项结果须为数值（带单位）或文字，二者取其一；参考范围下限不能高于上限。",
                     "Result {index} is a number (with its unit) or a text, not both; the range's low end "
                     "cannot be above its high end.")
APPOINTMENT_MISMATCH = code("report.appointment_mismatch", 422, "关联的预约须属于该患者且在本机构。",
                            "The linked appointment must be this patient's, at this institution.")
SUPERSEDED = code("report.superseded", 409, "该报告已有更新版本，请在最新版本上操作。",
                  "This report was replaced by a newer version; act on the latest one.")
ENTERED_IN_ERROR = code("report.entered_in_error", 409, "该报告已标记为错误报告，不能再修改。",
                        "This report was marked entered-in-error and cannot be changed.")
NEVER_DELETED = code("report.never_deleted", 405, "报告不能删除，只能更正或标记为错误。",
                     "Reports are never deleted: amend them or mark them entered-in-error.")
