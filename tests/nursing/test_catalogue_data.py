"""The demo home-nursing catalogue is complete and internally consistent (seed 004: 37 items, six populations)."""

from __future__ import annotations

from collections import Counter

from yihu.demo.nursing_catalogue import (
    CATEGORIES,
    CONSUMABLES,
    CREDENTIAL_KINDS,
    ITEMS,
    POPULATIONS,
    RISK_LEVELS,
    VISIT_FEE_SPECIALTY,
    WASTE_KINDS,
)
from yihu.demo.staff import SPECIALTIES

# The certificate each category's specialty items need; "basic" items need none.
CATEGORY_CREDENTIAL = {
    "picc_port": "picc",
    "stoma": "wound_stoma",
    "maternal_infant": "midwifery",
    "tcm": "tcm_nursing",
    "hospice": "hospice_nursing",
}
SHARP_CONSUMABLES = {"blood_needle", "lancet", "syringe_1", "syringe_5", "huber_needle", "suture_removal_pack"}


def _is_fen(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def test_thirty_seven_items_with_codes_hn001_to_hn037() -> None:
    assert len(ITEMS) == 37
    assert [item.code for item in ITEMS] == [f"HN{n:03d}" for n in range(1, 38)]
    assert len({item.name_zh for item in ITEMS}) == 37


def test_six_populations_all_served() -> None:
    assert set(POPULATIONS) == {
        "post_discharge", "elderly_disabled", "maternal_infant", "specialty", "tcm", "hospice",
    }
    used = {p for item in ITEMS for p in item.populations}
    assert used == set(POPULATIONS)
    for item in ITEMS:
        assert item.populations, item.code
        assert len(set(item.populations)) == len(item.populations), item.code


def test_every_category_used_and_known() -> None:
    counts = Counter(item.category for item in ITEMS)
    assert set(counts) == set(CATEGORIES)
    assert counts == {
        "basic": 7, "pressure_sore": 3, "wound": 3, "tube": 5, "picc_port": 2,
        "maternal_infant": 5, "stoma": 2, "tcm": 4, "rehab_chronic": 3, "hospice": 3,
    }


def test_kits_name_known_consumables_with_positive_counts() -> None:
    for code, spec in CONSUMABLES.items():
        assert spec.code == code
        assert _is_fen(spec.price_fen), code
        assert spec.unit and spec.name_zh and spec.name_en
    for item in ITEMS:
        names = [line.consumable for line in item.kit]
        assert len(names) == len(set(names)), item.code
        for line in item.kit:
            assert line.consumable in CONSUMABLES, (item.code, line.consumable)
            assert isinstance(line.count, int) and line.count > 0, (item.code, line.consumable)


def test_prices_durations_and_visit_fees() -> None:
    for item in ITEMS:
        assert _is_fen(item.price_fen), item.code
        assert _is_fen(item.visit_fee_fen), item.code
        assert 10_000 <= item.visit_fee_fen <= 15_000, item.code
        assert 10 <= item.duration_min <= 120, item.code
    by_name = {item.name_zh: item for item in ITEMS}
    assert 3_000 <= by_name["静脉采血"].price_fen <= 6_000
    assert 8_000 <= by_name["PICC导管维护"].price_fen <= 15_000


def test_credentials_match_the_nurse_specialties() -> None:
    assert set(CREDENTIAL_KINDS) == set(SPECIALTIES)
    for item in ITEMS:
        assert set(item.credentials) <= set(CREDENTIAL_KINDS), item.code
        assert len(set(item.credentials)) == len(item.credentials), item.code
        wanted = CATEGORY_CREDENTIAL.get(item.category)
        if wanted is not None:
            assert item.credentials == (wanted,), item.code
        if item.category == "basic":
            assert item.credentials == (), item.code
    assert {"wound_stoma", "geriatric_nursing"} <= {c for item in ITEMS for c in item.credentials}


def test_risk_levels_and_two_nurse_items() -> None:
    for item in ITEMS:
        assert item.risk_level in RISK_LEVELS, item.code
        assert item.nurses_required in (1, 2), item.code
        if item.nurses_required == 2 or item.risk_level == "high":
            assert item.visit_fee_fen == VISIT_FEE_SPECIALTY, item.code
    two = [item.code for item in ITEMS if item.nurses_required == 2]
    assert 1 <= len(two) <= 4
    assert {item.code for item in ITEMS if item.category == "picc_port"} <= {
        item.code for item in ITEMS if item.risk_level == "high"
    }


def test_consent_text_and_waste_kinds() -> None:
    for item in ITEMS:
        assert item.description_zh.strip() and item.risks_zh.strip(), item.code
        assert set(item.waste_kinds) <= set(WASTE_KINDS), item.code
        assert len(set(item.waste_kinds)) == len(item.waste_kinds), item.code
        if any(line.consumable in SHARP_CONSUMABLES for line in item.kit):
            assert "sharps" in item.waste_kinds, item.code
            assert any(line.consumable == "sharps_box" for line in item.kit), item.code
