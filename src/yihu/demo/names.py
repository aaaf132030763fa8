"""Chinese personal names for synthetic people: weighted surnames, given names by sex and generation."""

from __future__ import annotations

import random
import re
from itertools import accumulate

# Common surnames with rough relative frequencies (national order, with the Jiaxing favourites 沈 钱 陆 顾 姚
# raised a little). Two compound surnames keep the generator honest about names longer than three characters.
_SURNAME_TABLE = """
王72 李71 张68 刘53 陈50 杨36 黄25 赵22 吴22 周21 徐20 孙16 马14 朱16 胡13 郭12 何10 高10 林10 罗9 郑9 梁8 谢7 宋7
唐7 许7 韩6 冯6 邓6 曹6 彭5 曾5 肖5 田5 董5 袁5 潘5 于4 蒋5 蔡5 余4 杜4 叶5 程4 苏4 魏4 吕4 丁4 任3 沈12 姚6 卢3 姜3 崔2
钟3 谭2 陆8 汪4 范3 金5 石2 廖2 贾2 夏3 韦2 付2 方4 白2 邹2 孟2 熊2 秦2 邱2 江3 尹2 薛2 钱8 顾7 俞4 褚2 屠2 费2 欧阳1 诸葛1
"""
_SURNAMES: list[tuple[str, int]] = [
    (m[1], int(m[2])) for m in (re.fullmatch(r"(\D+)(\d+)", w) for w in _SURNAME_TABLE.split()) if m
]
SURNAMES: tuple[str, ...] = tuple(s for s, _ in _SURNAMES)
_SURNAME_CUM: list[int] = list(accumulate(w for _, w in _SURNAMES))

# Given names by generation and sex: grandparents (born before 1960), parents, children (born 2005 on).
_GIVEN: dict[tuple[str, str], tuple[str, ...]] = {
    ("old", "male"): tuple(
        "建国 国强 德华 志明 根林 福生 金荣 阿大 荣根 永康 国庆 爱民 水根 长林 建华 忠良 文彬 海根 桂林 树林".split()
    ),
    ("old", "female"): tuple(
        "秀英 桂英 玉兰 淑珍 凤英 桂芳 美华 金妹 阿香 杏娟 月娥 彩凤 素珍 秀珍 菊英 雪琴 惠芬 小妹 兰芳 玉珍".split()
    ),
    ("mid", "male"): tuple(
        "伟 强 磊 军 勇 杰 涛 斌 明 刚 俊 峰 建华 海峰 志强 晓东 文杰 国伟 立新 卫东 家豪 振宇 鹏 超 亮 浩 健 晨".split()
    ),
    ("mid", "female"): tuple(
        "芳 娟 敏 静 丽 艳 燕 霞 玲 婷 慧 洁 丽娟 晓燕 雪梅 海燕 春燕 佳怡 美玲 红霞 琳 颖 倩 萍 蕾 丹".split()
    ),
    ("young", "male"): tuple(
        "梓轩 子轩 浩宇 宇航 俊杰 一鸣 沐阳 皓轩 子墨 睿 泽宇 天佑 博文 昊然 奕辰 明轩 思远 嘉懿 锦程 逸飞".split()
    ),
    ("young", "female"): tuple(
        "梓涵 子涵 欣怡 诗涵 一诺 雨桐 可馨 思彤 紫萱 语嫣 若汐 梦瑶 佳琪 欣妍 雨萱 依诺 安琪 芷若 乐瑶 沐晴".split()
    ),
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
