from yihu.errors import code

BILL_NOT_FOUND = code("billing.bill_not_found", 404, "未找到该账单。", "The bill was not found.")
PAYMENT_NOT_FOUND = code("billing.payment_not_found", 404, "未找到该支付。", "The payment was not found.")
ADMISSION_NOT_FOUND = code("billing.admission_not_found", 404, "未找到该住院记录。", "The admission was not found.")
BILL_NOT_PAYABLE = code("billing.bill_not_payable", 409, "该账单当前状态为{status}，不能支付。",
                        "The bill is {status} and cannot be paid.")
PAYMENT_IN_PROGRESS = code("billing.payment_in_progress", 409, "该账单已有一笔支付正在完成，请稍后刷新。",
                           "A payment of this bill is completing; refresh in a moment.")
CHANNEL_INVALID = code("billing.channel_invalid", 422, "支付渠道应为微信、支付宝、医保卡、银行卡或自助机。",
                       "The channel is wechat, alipay, insurance_card, bank_card or kiosk.")
CHANNEL_UNAVAILABLE = code("billing.channel_unavailable", 422, "本平台未开通该支付渠道。",
                           "This payment channel is not offered here.")
INSURANCE_CARD_REQUIRED = code("billing.insurance_card_required", 422, "医保支付须选择已绑定的该就诊人的医保卡。",
                               "An insurance payment needs an insurance card of this patient bound to your account.")
INSURANCE_NOT_COVERED = code("billing.insurance_not_covered", 422, "该类费用不能用医保卡支付。",
                             "This kind of charge cannot be paid with the insurance card.")
REFUND_NOT_PAID = code("billing.refund_not_paid", 409, "该支付未完成，不能退款。",
                       "The payment is not completed and cannot be refunded.")
REFUND_EXCEEDS = code("billing.refund_exceeds", 409, "退款金额超过可退金额（{remaining}分）。",
                      "The refund is more than what can still be refunded ({remaining} fen).")
REFUND_REQUEST_REUSED = code("billing.refund_request_reused", 409, "该退款单号已用于另一笔不同金额的退款。",
                             "This refund request id was already used for a different amount.")
REFUND_FORBIDDEN = code("billing.refund_forbidden", 403, "退款须由开单机构管理员办理，或按取消预约规则自动退回。",
                        "Refunds are made by the billing institution's administrator or by cancelling within policy.")
AMOUNT_INVALID = code("billing.amount_invalid", 422, "金额应为正整数（分）。", "An amount is a positive number of fen.")
PROVIDER_UNKNOWN = code("billing.provider_unknown", 404, "没有这个支付通道。", "There is no such payment provider.")
NOTIFY_SIGNATURE = code("billing.notify_signature_invalid", 401, "通知签名无效。",
                        "The notification signature is invalid.")
NOTIFY_MALFORMED = code("billing.notify_malformed", 400, "通知内容无法识别。", "The notification cannot be read.")
NOTIFY_UNKNOWN = code("billing.notify_unknown_payment", 404, "通知对应的支付或退款不存在。",
                      "The notification names no payment or refund of ours.")
NOTIFY_AMOUNT = code("billing.notify_amount_mismatch", 400, "通知金额与订单不符。",
                     "The notification's amount differs from the order.")
NOTIFY_CONFLICT = code("billing.notify_conflict", 409, "通知与已记录的交易冲突。",
                       "The notification conflicts with the recorded transaction.")
SANDBOX_NOT_PAYABLE = code("billing.sandbox_not_payable", 409, "该订单已支付、失败或已关闭。",
                           "The order is already paid, failed or closed.")
SANDBOX_TOKEN = code("billing.sandbox_token_invalid", 403, "支付凭证无效。", "The payment token is invalid.")
SANDBOX_DISABLED = code("billing.sandbox_disabled", 403, "生产环境不提供沙箱支付。",
                        "The payment sandbox is not available in production.")
ADMISSION_CLOSED = code("billing.admission_discharged", 409, "该住院已出院结算，不能再充值或记账。",
                        "The patient was discharged; no more deposits or charges.")
DEPOSIT_AMOUNT = code("billing.deposit_amount", 422, "充值金额应在¥{low}至¥{high}之间。",
                      "A deposit top-up is between ¥{low} and ¥{high}.")
STATS_SCOPE = code("billing.stats_scope", 403, "机构人员只能查看本机构的数据。",
                   "Institution staff see their own institution's figures only.")
STATS_SINCE = code("billing.since_needs_offset", 422, "起始时间须带时区，例如 2026-01-01T00:00:00+08:00。",
                   "The start time needs a UTC offset, e.g. 2026-01-01T00:00:00+08:00.")
