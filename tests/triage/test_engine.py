from __future__ import annotations

import pytest

from yihu.registry.codes import CLINICAL_SUBJECTS
from yihu.triage import engine, rules

# (what a resident types, the top suggestion, its reasons, emergency?)
PHRASES = [
    ("头疼发烧三天", "03", ("发烧",), False),
    ("头疼", "03.03", ("头疼",), False),
    ("孩子咳嗽", "07", ("咳嗽",), False),
    ("孩子发烧咳嗽", "07", ("发烧", "咳嗽"), False),
    ("3岁宝宝拉肚子", "07", ("拉肚子",), False),
    ("五岁孩子发烧", "07", ("发烧",), False),
    ("怀孕两个月", "05.02", ("怀孕",), False),
    ("怀孕三个月肚子疼", "05.02", ("怀孕",), False),
    ("膝盖疼", "04.03", ("膝盖疼",), False),
    ("上楼梯膝盖疼，腿也疼", "04.03", ("膝盖疼",), False),
    ("胸口痛出冷汗", "20", ("胸口痛", "出冷汗"), True),
    ("突然呼吸困难", "20", ("呼吸困难",), True),
    ("老人突然口角歪斜说话不清", "20", ("口角歪斜", "说话不清"), True),
    ("他昏迷了叫不醒", "20", ("昏迷", "叫不醒"), True),
    ("皮肤起疹子很痒", "13", ("起疹子", "痒"), False),
    ("发烧咳嗽有痰", "03.01", ("发烧", "咳嗽", "有痰"), False),
    ("嗓子疼流鼻涕", "11", ("嗓子疼", "流鼻涕"), False),
    ("肚子疼拉肚子还恶心", "03.02", ("肚子疼", "拉肚子", "恶心"), False),
    ("牙疼得睡不着", "12", ("牙疼",), False),
    ("眼睛红还流眼泪", "10", ("眼睛红", "流眼泪"), False),
    ("尿频尿急尿痛", "04.04", ("尿频", "尿急", "尿痛"), False),
    ("月经不调两个月", "05.01", ("月经不调",), False),
    ("血糖高，总是口渴", "03.07", ("血糖高", "口渴"), False),
    ("心慌胸闷", "03.04", ("心慌", "胸闷"), False),
    ("崴脚了", "04.03", ("崴脚",), False),
    ("耳鸣听力下降", "11", ("耳鸣", "听力下降"), False),
    ("不发烧，就是头疼", "03.03", ("头疼",), False),
]


@pytest.mark.parametrize(("text", "top", "reasons", "emergency"), PHRASES)
def test_realistic_phrasings(text, top, reasons, emergency):
    r = engine.triage(text)
    assert (r.suggestions[0].code, r.suggestions[0].reasons, r.emergency) == (top, reasons, emergency)


def test_the_full_ranking_is_explained():
    r = engine.triage("头疼发烧三天")
    assert [(s.code, s.score, s.reasons) for s in r.suggestions] == [
        ("03", 4, ("发烧",)), ("03.03", 3, ("头疼",)), ("03.01", 1, ("发烧",))]
    assert [(m.term, m.symptom.label) for m in r.matches] == [("头疼", "头痛"), ("发烧", "发热")]


def test_red_flags_put_emergency_first_and_keep_the_specialty():
    r = engine.triage("胸口痛出冷汗")
    assert [(s.code, s.emergency) for s in r.suggestions] == [("20", True), ("03.04", False)]


def test_same_input_same_output():
    texts = [p[0] for p in PHRASES]
    first = [engine.triage(t) for t in texts]
    assert [engine.triage(t) for t in reversed(texts)][::-1] == first


def test_age_and_sex_from_the_patient_record():
    assert engine.triage("咳嗽发烧", age=6).suggestions[0].code == "07"
    assert engine.triage("孩子咳嗽", age=40).suggestions[0].code == "03.01"  # "my child" said by an adult patient
    assert engine.triage("摔伤骨折", age=8).suggestions[0].code == "08"
    assert [s.code for s in engine.triage("肚子疼月经不调", sex="male").suggestions] == ["03.02", "04.01"]
    assert engine.triage("肚子疼月经不调", sex="female").suggestions[0].code == "05.01"
    assert engine.triage("十二岁发烧").hints == ("child",)
    assert engine.triage("六十五岁头晕").hints == ()


def test_nothing_recognised_suggests_general_practice():
    r = engine.triage("我今天心情很好")
    assert (r.recognised, [(s.code, s.reasons) for s in r.suggestions]) == (False, [("02", ())])
    assert engine.triage("宝宝不太对劲").suggestions[0].code == "07"


def test_chinese_numbers():
    assert [engine.chinese_number(t) for t in ("3", "三", "十", "十二", "二十", "六十五", "两", "百")] == [
        3, 3, 10, 12, 20, 65, 2, None]


def test_the_table_uses_known_department_codes_and_no_term_twice():
    codes = {c for s in rules.SYMPTOMS for c, _ in s.departments} | set(rules.CHILD_DEPARTMENT.values())
    assert codes <= set(CLINICAL_SUBJECTS)
    terms = [t for s in rules.SYMPTOMS for t in s.terms]
    assert len(terms) == len(set(terms))
