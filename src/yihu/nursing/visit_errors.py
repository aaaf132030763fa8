"""The visit's error codes (consent, check-in, alarm, record, consumables, waste, check-out)."""

from yihu.errors import code

CONSENT_SIGNED = code("nursing.consent_already_signed", 409, "该订单的知情同意书已签署，不能重复签署。",
                      "The informed consent of this order is already signed.")
CONSENT_MISSING = code("nursing.consent_missing", 409, "服务对象或监护人尚未签署知情同意书，不能开始服务。",
                       "The recipient or guardian has not signed the informed consent; the service cannot start.")
CONSENT_TEXT_CHANGED = code("nursing.consent_text_changed", 409, "知情同意书内容已更新，请重新阅读后签署。",
                            "The consent text has changed; read it again before signing.")
GUARDIAN_REQUIRED = code("nursing.guardian_required", 422, "服务对象未满{age}周岁，须由监护人签署。",
                         "The recipient is under {age}; a guardian must sign.")
SIGNER_NOT_RECIPIENT = code("nursing.signer_not_recipient", 422, "本人签署时，签署人姓名须与服务对象实名一致。",
                            "Signing for oneself, the signer's name must match the recipient's real name.")
SIGNATURE_INVALID = code("nursing.signature_invalid", 422,
                         "签名无效：请输入签名人姓名，或上传不超过{max_kb}KB的PNG/JPEG手写签名图片。",
                         "Invalid signature: type the signer's name or draw one (PNG/JPEG, at most {max_kb} KB).")
TOO_FAR = code("nursing.checkin_too_far", 422, "签到位置距服务地址{distance_m}米，超出允许范围{radius_m}米。",
               "The check-in location is {distance_m} m from the address, beyond the allowed {radius_m} m.")
NOT_DURING_VISIT = code("nursing.not_during_visit", 409, "订单当前状态为“{status}”，不在上门服务过程中。",
                        "The order is '{status}'; no visit is in progress.")
ALARM_NOT_FOUND = code("nursing.alarm_not_found", 404, "未找到该报警。", "The alarm was not found.")
ALARM_STATE = code("nursing.alarm_state", 409, "该报警当前为“{status}”，不能{action}。",
                   "The alarm is '{status}'; it cannot be {action}.")
RECORD_NOT_FOUND = code("nursing.record_not_found", 404, "未找到护理记录。", "The nursing record was not found.")
RECORD_IN_ERROR = code("nursing.record_already_in_error", 409, "该护理记录已标记为错误录入。",
                       "The nursing record is already marked entered-in-error.")
NOT_IN_KIT = code("nursing.consumable_not_in_kit", 422, "耗材{consumable}不在本项目的耗材包内。",
                  "Consumable {consumable} is not in this item's kit.")
CONSUMABLES_CLOSED = code("nursing.consumables_closed", 409, "订单当前状态为“{status}”，不能登记耗材或医废。",
                          "The order is '{status}'; consumables and waste can no longer be recorded.")
SHARPS_NEED_BOX = code("nursing.sharps_need_box", 422, "损伤性废物（锐器）须装入利器盒密封处置。",
                       "Sharps go into a sealed sharps box.")
WASTE_MISSING = code("nursing.waste_missing", 409, "本项目会产生医疗废物，请先登记医废处置再签退。",
                     "This item produces medical waste; record its disposal before checking out.")
ROLE_NOT_NURSE = code("nursing.nurse_role_required", 403, "仅护士可使用此功能。", "Only nurses can use this.")
