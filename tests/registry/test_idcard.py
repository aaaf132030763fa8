from __future__ import annotations

from datetime import date

import pytest
from stdnum.cn import ric

from yihu.errors import DomainError
from yihu.registry.idcard import make, normalize_name, normalize_phone, parse


def test_valid_numbers_agree_with_python_stdnum():
    for born, seq in ((date(1991, 1, 1), 7), (date(2001, 12, 31), 88), (date(1985, 6, 15), 321)):
        n = make("360426", born, seq)
        assert ric.is_valid(n)
        idn = parse(n)
        assert idn.birth_date == born and idn.sex == ("male" if seq % 2 else "female")


def test_an_elderly_resident_of_a_region_created_after_their_birth_is_accepted():
    """330411 (秀洲区, earlier 郊区) exists from 1983: a woman born 1940 still carries it on her card."""
    n = make("330411", date(1940, 5, 6), 24)
    assert parse(n).birth_date == date(1940, 5, 6)


@pytest.mark.parametrize(("raw", "code"), [
    ("", "identity.id_number.length"),
    ("3304111985061512", "identity.id_number.length"),
    ("33041119850615123Y", "identity.id_number.format"),
    ("000000198506151234", "identity.id_number.region"),
    ("339999198506151234", "identity.id_number.region"),
    ("330411198502301234", "identity.id_number.birth_date"),
    ("330411185002011234", "identity.id_number.birth_date"),
])
def test_each_failure(raw, code):
    with pytest.raises(DomainError) as e:
        parse(raw, today=date(2026, 11, 22))
    assert e.value.code == code


def test_checksum_and_separators():
    good = make("330411", date(1985, 6, 15), 123)
    assert parse(f" {good[:6]} {good[6:14]} {good[14:]} ").value == good
    with pytest.raises(DomainError) as e:
        parse(good[:17] + ("1" if good[17] == "0" else "0"))
    assert e.value.code == "identity.id_number.checksum"


def test_phones_and_names():
    assert normalize_phone("+86 138-1234-5678") == "13812345678"
    for bad in ("12812345678", "1381234567", "abc"):
        with pytest.raises(DomainError):
            normalize_phone(bad)
    assert normalize_name("  欧阳  春晓 ") == "欧阳 春晓"
    assert normalize_name("买买提·艾力") == "买买提·艾力"
    for bad in ("张", "张3", "<script>"):
        with pytest.raises(DomainError):
            normalize_name(bad)
