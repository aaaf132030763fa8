"""Chinese personal names for synthetic people: weighted surnames, given names by sex and generation."""

from __future__ import annotations

import random
from itertools import accumulate

# Common surnames with rough relative frequencies (national order, with the Jiaxing favourites 沈 钱 陆 顾 姚
# raised a little). Two compound surnames keep the generator honest about names longer than three characters.
_SURNAMES: tuple[tuple[str, int], ...] = (
    ("王", 72), ("李", 71), ("张", 68), ("刘", 53), ("陈", 50), ("杨", 36), ("黄", 25), ("赵", 22), ("吴", 22),
    ("周", 21), ("徐", 20), ("孙", 16), ("马", 14), ("朱", 16), ("胡", 13), ("郭", 12), ("何", 10), ("高", 10),
    ("林", 10), ("罗", 9), ("郑", 9), ("梁", 8), ("谢", 7), ("宋", 7), ("唐", 7), ("许", 7), ("韩", 6), ("冯", 6),
    ("邓", 6), ("曹", 6), ("彭", 5), ("曾", 5), ("肖", 5), ("田", 5), ("董", 5), ("袁", 5), ("潘", 5), ("于", 4),
    ("蒋", 5), ("蔡", 5), ("余", 4), ("杜", 4), ("叶", 5), ("程", 4), ("苏", 4), ("魏", 4), ("吕", 4), ("丁", 4),
    ("任", 3), ("沈", 12), ("姚", 6), ("卢", 3), ("姜", 3), ("崔", 2), ("钟", 3), ("谭", 2), ("陆", 8), ("汪", 4),
    ("范", 3), ("金", 5), ("石", 2), ("廖", 2), ("贾", 2), ("夏", 3), ("韦", 2), ("付", 2), ("方", 4), ("白", 2),
    ("邹", 2), ("孟", 2), ("熊", 2), ("秦", 2), ("邱", 2), ("江", 3), ("尹", 2), ("薛", 2), ("钱", 8), ("顾", 7),
    ("俞", 4), ("褚", 2), ("屠", 2), ("费", 2), ("欧阳", 1), ("诸葛", 1),
)
SURNAMES: tuple[str, ...] = tuple(s for s, _ in _SURNAMES)
_SURNAME_CUM: list[int] = list(accumulate(w for _, w in _SURNAMES))

# Given-name characters by generation and sex: grandparents (born before 1960), parents, children (after 2005).
_GIVEN: dict[tuple[str, str], tuple[str, ...]] = {
    ("old", "male"): ("建国", "国强", "德华", "志明", "根林", "福生", "金荣", "阿大", "荣根", "永康", "国庆", "爱民",
                      "水根", "长林", "建华", "忠良", "文彬", "海根", "桂林", "树林"),
    ("old", "female"): ("秀英", "桂英", "玉兰", "淑珍", "凤英", "桂芳", "美华", "金妹", "阿香", "杏娟", "月娥",
                        "彩凤", "素珍", "秀珍", "菊英", "雪琴", "惠芬", "小妹", "兰芳", "玉珍"),
    ("mid", "male"): ("伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "明", "刚", "俊", "峰", "建华", "海峰", "志强",
                      "晓东", "文杰", "国伟", "立新", "卫东", "家豪", "振宇", "鹏", "超", "亮", "浩", "健", "晨"),
    ("mid", "female"): ("芳", "娟", "敏", "静", "丽", "艳", "燕", "霞", "玲", "婷", "慧", "洁", "丽娟", "晓燕",
                        "雪梅", "海燕", "春燕", "佳怡", "美玲", "红霞", "琳", "颖", "倩", "萍", "蕾", "丹"),
    ("young", "male"): ("梓轩", "子轩", "浩宇", "宇航", "俊杰", "一鸣", "沐阳", "皓轩", "子墨", "睿", "泽宇",
                        "天佑", "博文", "昊然", "奕辰", "明轩", "思远", "嘉懿", "锦程", "逸飞"),
    ("young", "female"): ("梓涵", "子涵", "欣怡", "诗涵", "一诺", "雨桐", "可馨", "思彤", "紫萱", "语嫣", "若汐",
                          "梦瑶", "佳琪", "欣妍", "雨萱", "依诺", "安琪", "芷若", "乐瑶", "沐晴"),
}


def surname(rng: random.Random) -> str:
    return rng.choices(SURNAMES, cum_weights=_SURNAME_CUM)[0]


def generation(birth_year: int) -> str:
    if birth_year < 1960:
        return "old"
    if birth_year < 2005:
        return "mid"
    return "young"


def given_name(rng: random.Random, sex: str, birth_year: int) -> str:
    return rng.choice(_GIVEN[(generation(birth_year), sex)])


def full_name(rng: random.Random, sex: str, birth_year: int, family_name: str | None = None) -> str:
    return (family_name or surname(rng)) + given_name(rng, sex, birth_year)
