"""Error codes of a visit's bill, refunds, rating and follow-ups, and the online nursing consultation."""

from yihu.errors import code

NOT_REFUNDABLE = code("nursing.not_refundable", 409, "该订单没有可退款的已支付账单。",
                      "This order has no paid bill to refund.")
FOLLOWUP_NOT_FOUND = code("nursing.followup_not_found", 404, "未找到该回访。", "The follow-up was not found.")
FOLLOWUP_CLOSED = code("nursing.followup_closed", 409, "该回访已关闭。", "The follow-up is closed already.")
CONSULT_NOT_FOUND = code("nursing.consult_not_found", 404, "未找到该护理咨询。", "The nursing consultation was not found.")
CONSULT_NO_NURSING = code("nursing.consult_no_home_nursing", 422, "该机构未开展上门护理服务。",
                          "This institution offers no home nursing.")
CONSULT_TAKEN = code("nursing.consult_taken", 409, "该咨询已由其他护士接诊。",
                     "Another nurse is answering this consultation.")
CONSULT_CLOSED = code("nursing.consult_closed", 409, "该咨询已结束。", "The consultation is closed.")
CONSULT_NOT_ANSWERED = code("nursing.consult_not_answered", 409, "请先回复该咨询，再提出上门建议。",
                            "Answer the consultation before proposing a visit.")
PHOTO_INVALID = code("nursing.photo_invalid", 422, "照片须为 JPEG 或 PNG，每张不超过{max_kb}KB，最多{max_count}张。",
                     "Photos must be JPEG or PNG, at most {max_kb} KB each and {max_count} in all.")
ADDRESS_REQUIRED = code("nursing.address_required", 422, "请提供上门地址及坐标。",
                        "An address with coordinates is required.")
PROPOSAL_NOT_FOUND = code("nursing.proposal_not_found", 404, "未找到该上门建议。", "The visit proposal was not found.")
PROPOSAL_STALE = code("nursing.proposal_stale", 409, "该上门建议已处理或已被新的建议取代。",
                      "This proposal was already answered or replaced by a newer one.")
CONSULT_ORDERED = code("nursing.consult_ordered", 409, "该咨询已生成上门订单。",
                       "This consultation has led to an order already.")
