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
    "clinic_stopped": {
        "zh-CN": "【医护】{institution}{schedule}{day}{period}停诊，您的预约已取消，请改约其他时段。",
        "en": "[Yihu] {schedule} at {institution} on {day} ({period}) is cancelled; your booking was cancelled, "
              "please book another time.",
    },
}


def render(template: str, params: dict[str, Any], lang: str = "zh-CN") -> str:
    texts = TEMPLATES[template]
    return texts.get(lang, texts["zh-CN"]).format(**params)
