"""Where things are in the demo district: the towns and streets of Xiuzhou (嘉兴市秀洲区), addresses."""

from __future__ import annotations

import random
from dataclasses import dataclass

# The extent every demo coordinate stays inside (Xiuzhou district, roughly).
LAT_MIN, LAT_MAX = 30.68, 30.90
LON_MIN, LON_MAX = 120.55, 120.85

PROVINCE_CITY = "浙江省嘉兴市秀洲区"


@dataclass(frozen=True)
class Town:
    code: str
    name: str
    lat: float
    lon: float
    roads: tuple[str, ...]
    estates: tuple[str, ...]  # residential estates (小区) or villages (村)
    institution: str  # code of the nearest primary-care institution
    weight: int  # share of the population


# fmt: off
TOWNS: tuple[Town, ...] = (
    Town("xincheng", "新城街道", 30.772, 120.716, ("中山西路", "洪兴西路", "康和路", "秀园路"),
         ("新中国际", "秀湖花园", "康和苑", "紫御华庭"), "XZ11", 16),
    Town("jiabei", "嘉北街道", 30.792, 120.748, ("昌盛北路", "八字路", "嘉北路", "岗山路"),
         ("嘉北新村", "昌盛花苑", "泰石公寓", "湘家荡苑"), "XZ01", 12),
    Town("tanghui", "塘汇街道", 30.758, 120.738, ("塘汇路", "东升西路", "由拳路"),
         ("塘汇新村", "东栅花苑", "由拳小区"), "XZ02", 9),
    Town("gaozhao", "高照街道", 30.801, 120.726, ("高照路", "栖宿路", "中港路"),
         ("高照新苑", "栖宿花园", "中港小区"), "XZ10", 11),
    Town("wangjiangjing", "王江泾镇", 30.872, 120.716, ("运河路", "闻川路", "南汇路"),
         ("闻川新村", "南汇村", "民主村"), "XZ05", 12),
    Town("youchegang", "油车港镇", 30.816, 120.800, ("麟湖路", "正阳路", "胥山路"),
         ("麟湖新村", "正阳村", "胥山村"), "XZ07", 9),
    Town("xinsheng", "新塍镇", 30.831, 120.626, ("新兴路", "小镇路", "能仁路"),
         ("新塍新村", "能仁花苑", "陡门村"), "XZ04", 12),
    Town("wangdian", "王店镇", 30.703, 120.668, ("梅北路", "庆丰路", "建设路"),
         ("梅里新村", "庆丰花苑", "建林村"), "XZ09", 11),
    Town("honghe", "洪合镇", 30.736, 120.601, ("洪福路", "泰石路", "洪运路"),
         ("洪合新村", "泰石村", "良三村"), "XZ08", 8),
)
# fmt: on
TOWN_BY_CODE: dict[str, Town] = {t.code: t for t in TOWNS}


def clamp(lat: float, lon: float) -> tuple[float, float]:
    return (
        round(min(max(lat, LAT_MIN + 0.001), LAT_MAX - 0.001), 6),
        round(min(max(lon, LON_MIN + 0.001), LON_MAX - 0.001), 6),
    )


def near(rng: random.Random, lat: float, lon: float, spread: float = 0.015) -> tuple[float, float]:
    return clamp(lat + rng.uniform(-spread, spread), lon + rng.uniform(-spread, spread))


def inside(lat: float | None, lon: float | None) -> bool:
    return lat is not None and lon is not None and LAT_MIN <= lat <= LAT_MAX and LON_MIN <= lon <= LON_MAX


def pick_town(rng: random.Random) -> Town:
    return rng.choices(TOWNS, weights=[t.weight for t in TOWNS])[0]


def home_address(rng: random.Random, town: Town) -> str:
    estate = rng.choice(town.estates)
    if estate.endswith("村"):
        return f"{PROVINCE_CITY}{town.name}{estate}{rng.randint(1, 12)}组{rng.randint(1, 120)}号"
    return (
        f"{PROVINCE_CITY}{town.name}{rng.choice(town.roads)}{estate}"
        f"{rng.randint(1, 36)}幢{rng.randint(1, 3)}单元{rng.randint(1, 18)}{rng.randint(1, 4):02d}室"
    )
