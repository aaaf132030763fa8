"""The demo district's institutions (seed 001: the ten public institutions of 健康秀洲, plus a lead hospital),
their departments and rooms, as plain data."""

from __future__ import annotations

from dataclasses import dataclass

from yihu.registry.codes import CLINICAL_SUBJECTS, ROOM_KINDS

GROUP_CODE = "XZ-MG"
GROUP_NAME = "秀洲区城市医疗集团"
GROUP_KIND = "city_medical_group"
LEAD_CODE = "XZ01"


@dataclass(frozen=True)
class InstitutionSpec:
    code: str
    name: str
    kind: str
    address: str
    lat: float
    lon: float
    phone: str
    departments: tuple[str, ...]
    staff: tuple[int, int, int, int]  # doctors, nurses, pharmacists, technicians (besides the demo logins)


# fmt: off
_TERTIARY = ("02", "03.01", "03.02", "03.03", "03.04", "03.06", "03.07", "03.11", "04.01", "04.03", "04.04",
             "05.01", "05.02", "07", "10", "11", "12", "13", "19", "20", "21", "26", "30", "32", "32.02",
             "32.03", "32.05", "32.06", "50", "70")
_SECONDARY = ("03", "04", "05", "07", "10", "11", "12", "20", "21", "30", "32", "32.05", "50", "70")
_TOWNSHIP = ("01", "02", "03", "12", "30", "32.05", "50", "70")
_CHC = ("01", "02", "09", "21", "30", "70")
_MATERNAL = ("01", "05.01", "05.02", "06", "07", "09", "12", "30", "32.05", "70")

INSTITUTIONS: tuple[InstitutionSpec, ...] = (
    InstitutionSpec("XZ01", "嘉兴市秀洲区中心医院", "tertiary_a", "浙江省嘉兴市秀洲区昌盛北路1288号",
                    30.7905, 120.7431, "0573-82280001", _TERTIARY, (40, 34, 5, 8)),
    InstitutionSpec("XZ02", "秀洲区妇幼保健院", "maternal_child", "浙江省嘉兴市秀洲区由拳路588号",
                    30.7588, 120.7352, "0573-82280002", _MATERNAL, (10, 14, 2, 3)),
    InstitutionSpec("XZ03", "秀洲区康安医院", "secondary", "浙江省嘉兴市秀洲区康和路66号",
                    30.7801, 120.7056, "0573-82280003", (*_SECONDARY, "03.11", "15"), (9, 12, 2, 3)),
    InstitutionSpec("XZ04", "新塍医院", "secondary", "浙江省嘉兴市秀洲区新塍镇新兴路218号",
                    30.8322, 120.6281, "0573-82280004", _SECONDARY, (10, 13, 2, 3)),
    InstitutionSpec("XZ05", "王江泾医院", "secondary", "浙江省嘉兴市秀洲区王江泾镇运河路305号",
                    30.8731, 120.7182, "0573-82280005", _SECONDARY, (10, 13, 2, 3)),
    InstitutionSpec("XZ06", "王店人民医院", "secondary", "浙江省嘉兴市秀洲区王店镇梅北路129号",
                    30.7012, 120.6715, "0573-82280006", _SECONDARY, (10, 13, 2, 3)),
    InstitutionSpec("XZ07", "油车港镇卫生院", "township", "浙江省嘉兴市秀洲区油车港镇麟湖路88号",
                    30.8158, 120.8012, "0573-82280007", _TOWNSHIP, (5, 8, 1, 2)),
    InstitutionSpec("XZ08", "洪合镇卫生院", "township", "浙江省嘉兴市秀洲区洪合镇洪福路56号",
                    30.7364, 120.6023, "0573-82280008", _TOWNSHIP, (5, 8, 1, 2)),
    InstitutionSpec("XZ09", "王店镇建设卫生院", "township", "浙江省嘉兴市秀洲区王店镇建设路18号",
                    30.7215, 120.6242, "0573-82280009", _TOWNSHIP, (5, 7, 1, 1)),
    InstitutionSpec("XZ10", "高照街道社区卫生服务中心", "chc", "浙江省嘉兴市秀洲区高照路201号",
                    30.8013, 120.7262, "0573-82280010", _CHC, (6, 8, 1, 1)),
    InstitutionSpec("XZ11", "新城街道社区卫生服务中心", "chc", "浙江省嘉兴市秀洲区洪兴西路399号",
                    30.7718, 120.7149, "0573-82280011", _CHC, (6, 8, 1, 1)),
)

# Resources by institution kind: (room kind, how many, department code it belongs to).
_RESOURCES: dict[str, tuple[tuple[str, int, str | None], ...]] = {
    "tertiary_a": (("ct", 2, "32.02"), ("mr", 1, "32.03"), ("ultrasound", 3, "32.05"), ("xray", 2, "32"),
                   ("ecg", 2, "32.06"), ("lab", 1, "30"), ("pharmacy", 1, None), ("ward", 6, None)),
    "maternal_child": (("ultrasound", 3, "32.05"), ("lab", 1, "30"), ("pharmacy", 1, None), ("ward", 2, None)),
    "secondary": (("ct", 1, "32"), ("ultrasound", 2, "32.05"), ("xray", 1, "32"), ("ecg", 1, "32"),
                  ("lab", 1, "30"), ("pharmacy", 1, None), ("ward", 3, None)),
    "township": (("ultrasound", 1, "32.05"), ("ecg", 1, None), ("lab", 1, "30"), ("pharmacy", 1, None)),
    "chc": (("ecg", 1, None), ("lab", 1, "30"), ("pharmacy", 1, None)),
}
# fmt: on
INSTITUTION_BY_CODE: dict[str, InstitutionSpec] = {i.code: i for i in INSTITUTIONS}
# Departments that see patients in consulting rooms (not the lab, imaging or the nursing department).
_NO_CONSULTING = ("26", "30", "32", "32.01", "32.02", "32.03", "32.05", "32.06", "70")


def department_name(code: str) -> str:
    zh = CLINICAL_SUBJECTS[code][0]
    return zh[: -len("专业")] if zh.endswith("专业") else zh


@dataclass(frozen=True)
class RoomSpec:
    code: str
    name: str
    kind: str
    department: str | None


def rooms_of(spec: InstitutionSpec) -> list[RoomSpec]:
    out: list[RoomSpec] = []
    per_department = 3 if spec.kind == "tertiary_a" else 2 if spec.kind in ("secondary", "maternal_child") else 1
    for dep in spec.departments:
        if dep in _NO_CONSULTING:
            continue
        for n in range(1, per_department + 1):
            out.append(RoomSpec(f"C{dep}-{n}", f"{department_name(dep)}{n}诊室", "consulting", dep))
    for kind, count, wanted in _RESOURCES[spec.kind]:
        owner = wanted if wanted in spec.departments else None
        label = ROOM_KINDS[kind][0]
        for n in range(1, count + 1):
            name = f"{label}{n}" if count > 1 else label
            out.append(RoomSpec(f"{kind.upper()}-{n}", name, kind, owner))
    return out
