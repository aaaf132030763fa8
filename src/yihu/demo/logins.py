"""The demo logins: fixed phones, one shared password, fixed second-factor secrets for the admin roles,
and the demo resident's family (a head of household with four cards, one for a child under 14)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from yihu.demo import geo
from yihu.demo.population import Family, Person

# Base32 TOTP secrets of the admin logins (documented: print_logins shows them; `yihu dev totp <phone>` too).
TOTP_LEAD_ADMIN = "OE2KZTB6ILRVBASVVVF7PXPZ4OMOAAJ3"
TOTP_CHC_ADMIN = "CCZA2XYPMJI2OX2N2S7HCSUBDL4UVNV3"
TOTP_REGULATOR = "KIJHTATDP4IBCEAPDVBGXACZ5F777HYH"  # noqa: S105 - a documented demo secret
TOTP_SYSTEM_ADMIN = "OCXTVZ7DR55KL5WRJLFF6STFSQZEJIB7"  # noqa: S105 - a documented demo secret


@dataclass(frozen=True)
class LoginSpec:
    key: str
    role: str
    phone: str
    name: str
    institution: str | None  # institution code
    practitioner: str | None  # key of a DEMO_STAFF practitioner
    totp_secret: str | None
    note: str


# fmt: off
LOGINS: tuple[LoginSpec, ...] = (
    LoginSpec("resident", "resident", "13800000001", "陈伟", None, None, None,
              "户主：本人、配偶、8岁儿子（监护人同意）、76岁母亲 共4张卡"),
    LoginSpec("doctor-lead", "doctor", "13800000011", "张明远", "XZ01", "demo-doctor-lead", None,
              "心血管内科 主任医师"),
    LoginSpec("doctor-chc", "doctor", "13800000012", "沈慧", "XZ10", "demo-doctor-chc", None, "全科 家庭医生"),
    LoginSpec("nurse-lead", "nurse", "13800000021", "陆佳怡", "XZ01", "demo-nurse-lead", None,
              "主管护师，PICC/伤口造口专科，可上门"),
    LoginSpec("nurse-chc", "nurse", "13800000022", "钱晓燕", "XZ10", "demo-nurse-chc", None,
              "护师，老年专科，可上门"),
    LoginSpec("pharmacist", "pharmacist", "13800000031", "周文博", "XZ01", "demo-pharmacist", None, "处方审核"),
    LoginSpec("admin-lead", "institution_admin", "13800000041", "吴海峰", "XZ01", None, TOTP_LEAD_ADMIN,
              "牵头医院管理员"),
    LoginSpec("admin-chc", "institution_admin", "13800000042", "顾晓红", "XZ10", None, TOTP_CHC_ADMIN,
              "社区卫生服务中心管理员"),
    LoginSpec("regulator", "regulator", "13800000051", "孙立平", None, None, TOTP_REGULATOR, "秀洲区卫生健康局"),
    LoginSpec("system-admin", "system_admin", "13800000061", "平台运维", None, None, TOTP_SYSTEM_ADMIN, "系统管理"),
)
# fmt: on


def _member(key: str, name: str, sex: str, born: date, region: str, seq: int, relation: str, phone: str | None,
            card_type: str, card_number: str, institution: str | None = None) -> Person:
    return Person(key=f"demo-{key}", index=None, name=name, sex=sex, birth_date=born, region=region, seq=seq,
                  relation=relation, phone=phone, card_type=card_type, card_institution=institution,
                  card_number=card_number)


def demo_family() -> Family:
    town = geo.TOWN_BY_CODE["gaozhao"]
    # fmt: off
    members = [
        _member("head", "陈伟", "male", date(1986, 4, 18), "330411", 17, "self", "13800000001", "insurance",
                "3304000000000001"),
        _member("spouse", "沈丽娟", "female", date(1988, 9, 3), "330402", 24, "spouse", "13800000002",
                "insurance", "3304000000000002"),
        _member("child", "陈梓轩", "male", date(2018, 7, 21), "330411", 35, "child", None, "visit",
                "XZ020000000001", "XZ02"),
        _member("mother", "徐桂英", "female", date(1950, 2, 14), "330411", 46, "parent", None, "visit",
                "XZ100000000001", "XZ10"),
    ]
    # fmt: on
    return Family(key="demo", town=town, address=f"{geo.PROVINCE_CITY}高照街道高照路高照新苑6幢2单元502室",
                  lat=30.8034, lon=120.7291, has_account=True, members=members)
