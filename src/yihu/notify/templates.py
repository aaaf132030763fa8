"""Message texts. Parameters are filled at delivery, never logged."""

from __future__ import annotations

from typing import Any

TEMPLATES: dict[str, dict[str, str]] = {
    "login_code": {
        "zh-CN": "【医护】您的登录验证码为{code}，{minutes}分钟内有效。请勿告诉他人。",
        "en": "[Yihu] Your sign-in code is {code}, valid for {minutes} minutes. Do not share it.",
    },
    "bind_consent": {
        "zh-CN": "【医护】{holder}正申请把您添加为其家庭就诊人，验证码{code}（{minutes}分钟内有效）。同意请把验证码告诉对方，不同意请忽略。",
        "en": "[Yihu] {holder} asks to add you as a family member on their account. Code {code} (valid {minutes} "
              "minutes): tell it to them if you agree, ignore this message if not.",
    },
    "card_bound": {
        "zh-CN": "【医护】您的账户已绑定一张{card_type}（尾号{tail}）。如非本人操作，请立即解绑。",
        "en": "[Yihu] A {card_type} ending {tail} was bound to your account. If this was not you, unbind it now.",
    },
    "waitlist_offer": {
        "zh-CN": "【医护】您候补的{schedule}有号了：{time}，已为您保留{minutes}分钟，请尽快确认预约。",
        "en": "[Yihu] A place came up for {schedule} at {time}; it is held for you for {minutes} minutes: confirm it soon.",
    },
    "clinic_stopped": {
        "zh-CN": "【医护】{institution}{schedule}{day}{period}停诊，您的预约已取消，请改约其他时段。",
        "en": "[Yihu] {schedule} at {institution} on {day} ({period}) is cancelled; your booking was cancelled, "
              "please book another time.",
    },
    "clinic_stopped_refund": {
        "zh-CN": "【医护】{institution}{schedule}{day}{period}停诊，您的预约已取消，已付的{amount}元将原路退回，请改约其他时段。",
        "en": "[Yihu] {schedule} at {institution} on {day} ({period}) is cancelled; your booking was cancelled and the "
              "{amount} yuan paid will be refunded to where it came from. Please book another time.",
    },
    # Reports: the SMS says only that a report is ready (no test name, no value); the in-app text names the test.
    "report_ready": {
        "zh-CN": "{patient}在{institution}的{title}报告已出，点击查看。",
        "en": "{patient}'s {title} report from {institution} is ready. Tap to read it.",
    },
    "report_ready_sms": {
        "zh-CN": "【医护】{patient}在{institution}的报告已出，请登录医护查看。",
        "en": "[Yihu] A report for {patient} from {institution} is ready; sign in to Yihu to read it.",
    },
    "report_amended": {
        "zh-CN": "{patient}在{institution}的{title}报告已更正，请查看最新版本。",
        "en": "{patient}'s {title} report from {institution} was amended; please read the new version.",
    },
    "report_amended_sms": {
        "zh-CN": "【医护】{patient}在{institution}的报告已更正，请登录医护查看。",
        "en": "[Yihu] A report for {patient} from {institution} was amended; sign in to Yihu to read it.",
    },
    "report_withdrawn": {
        "zh-CN": "{patient}在{institution}的{title}报告已被标记为错误报告（{reason}），请以医院通知为准。",
        "en": "{patient}'s {title} report from {institution} was marked entered-in-error ({reason}).",
    },
    "nursing_status": {
        "zh-CN": "【医护】护理订单{number}（{item}）：{status}。{detail}",
        "en": "[Yihu] Nursing order {number} ({item}): {status}. {detail}",
    },
    "nursing_consult": {
        "zh-CN": "【医护】您的护理咨询“{subject}”有新{what}，请查看。",
        "en": "[Yihu] Your nursing consultation '{subject}' has a new {what_en}.",
    },
    "queue_near": {
        "zh-CN": "【医护】{queue}：您的{number}号前面还有{ahead}位，请到诊室附近候诊。",
        "en": "[Yihu] {queue}: {ahead} patient(s) ahead of your number {number}; please wait near the room.",
    },
}


def render(template: str, params: dict[str, Any], lang: str = "zh-CN") -> str:
    texts = TEMPLATES[template]
    return texts.get(lang, texts["zh-CN"]).format(**params)
