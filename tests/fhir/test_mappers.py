from __future__ import annotations

import pytest

from yihu.fhir.mappers.common import human_name
from yihu.fhir.search import split_values


@pytest.mark.parametrize(("name", "family", "given"), [
    ("张三明", "张", ["三明"]), ("王五", "王", ["五"]), ("欧阳娜娜", "欧阳", ["娜娜"]), ("司马光", "司马", ["光"]),
    ("欧阳", "欧", ["阳"]), ("Anna Maria Li", "Li", ["Anna", "Maria"]),
])
def test_family_and_given_names(name, family, given):
    assert human_name(name) == {"use": "official", "text": name, "family": family, "given": given}


def test_single_character_name_is_the_family_name():
    assert human_name("李") == {"use": "official", "text": "李", "family": "李"}


def test_commas_separate_alternatives_unless_escaped():
    assert split_values("a,b\\,c, ,d\\\\") == ("a", "b,c", "d\\")
