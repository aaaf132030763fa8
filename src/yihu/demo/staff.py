"""The demo district's practitioners: doctors, pharmacists, technicians and the home-care nurses.

The plan is a pure function of the load day: names, titles, licence numbers and who is ineligible are fixed;
dates (practice start, licence validity, credential issue and expiry) are offsets from the load day so the
eligibility of each nurse is the same whenever the demo is loaded.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from yihu.demo import geo, names
from yihu.demo.district import INSTITUTION_BY_CODE, INSTITUTIONS, InstitutionSpec
from yihu.demo.keys import ANCHOR, rng, uid

# Why a nurse may not be dispatched for home nursing (DOMAIN.md, seed 004); each is present in the demo.
INELIGIBLE_REASONS: tuple[str, ...] = (
    "practice_under_5_years",
    "title_below_senior_nurse",
    "home_care_training_expired",
    "home_care_training_missing",
    "licence_expired",
    "suspended",
)
PER_REASON = 3
SPECIALTIES: tuple[str, ...] = (
    "picc",
    "wound_stoma",
    "midwifery",
    "tcm_nursing",
    "geriatric_nursing",
    "hospice_nursing",
)
SUSPENSION_REASONS: tuple[str, ...] = (
    "服务对象投诉，调查期间暂停上门服务",
    "护理记录未按规定上传，待质控复核",
    "上门服务中发生护理差错，待医疗质量委员会评估",
)
_ISSUERS = {
    "home_care_training": "嘉兴市卫生健康委员会",
    "prescription": "嘉兴市秀洲区卫生健康局",
    "remote_consult": "嘉兴市秀洲区卫生健康局",
}
_SPECIALTY_ISSUER = "浙江省护理学会"
_LICENCE_PREFIX = {
    "doctor": "110330411",
    "nurse": "3304110",
    "pharmacist": "YS330411",
    "technician": "JS330411",
}
# Years of practice by rank on the title ladder (lowest title first).
_YEARS_BY_RANK: dict[str, tuple[tuple[int, int], ...]] = {
    "doctor": ((1, 4), (5, 12), (12, 22), (18, 32)),
    "nurse": ((1, 6), (5, 12), (8, 22), (15, 28), (20, 35)),
    "pharmacist": ((1, 4), (3, 10), (8, 18), (14, 26), (20, 32)),
    "technician": ((1, 4), (3, 10), (8, 18), (14, 26), (20, 32)),
}
_TITLES: dict[str, tuple[str, ...]] = {
    "doctor": ("resident_physician", "attending_physician", "associate_chief_physician", "chief_physician"),
    "nurse": ("nurse", "senior_nurse", "supervisor_nurse", "associate_chief_nurse", "chief_nurse"),
    "pharmacist": (
        "assistant_pharmacist",
        "pharmacist",
        "supervisor_pharmacist",
        "associate_chief_pharmacist",
        "chief_pharmacist",
    ),
    "technician": (
        "assistant_technician",
        "technician",
        "supervisor_technician",
        "associate_chief_technician",
        "chief_technician",
    ),
}
_HOSPITAL_WEIGHTS = {
    "doctor": (25, 35, 25, 15),
    "nurse": (0, 38, 37, 18, 7),
    "pharmacist": (10, 40, 30, 15, 5),
    "technician": (15, 40, 30, 12, 3),
}
_PRIMARY_WEIGHTS = {
    "doctor": (35, 45, 17, 3),
    "nurse": (0, 50, 38, 10, 2),
    "pharmacist": (25, 50, 20, 5, 0),
    "technician": (30, 50, 17, 3, 0),
}


@dataclass
class CredentialPlan:
    kind: str
    number: str
    issuer: str
    issued_on: date
    expires_on: date | None


@dataclass
class StaffPlan:
    key: str
    institution: str
    department: str | None
    name: str
    sex: str
    kind: str
    title: str
    licence_no: str
    licence_valid_until: date | None
    practice_start: date
    home: tuple[float, float]
    suspended_reason: str | None = None
    ineligible: str | None = None
    credentials: list[CredentialPlan] = field(default_factory=list)

    @property
    def id(self) -> str:
        return uid(f"practitioner:{self.licence_no}")


@dataclass(frozen=True)
class DemoStaff:
    key: str
    institution: str
    department: str | None
    name: str
    sex: str
    kind: str
    title: str
    years: int
    specialties: tuple[str, ...] = ()


# The practitioners behind the demo logins (always eligible, fixed names).
DEMO_STAFF: tuple[DemoStaff, ...] = (
    DemoStaff("demo-doctor-lead", "XZ01", "03.04", "张明远", "male", "doctor", "chief_physician", 24),
    DemoStaff("demo-doctor-chc", "XZ10", "02", "沈慧", "female", "doctor", "attending_physician", 9),
    DemoStaff(
        "demo-nurse-lead",
        "XZ01",
        "70",
        "陆佳怡",
        "female",
        "nurse",
        "supervisor_nurse",
        12,
        ("picc", "wound_stoma"),
    ),
    DemoStaff(
        "demo-nurse-chc", "XZ10", "70", "钱晓燕", "female", "nurse", "senior_nurse", 8, ("geriatric_nursing",)
    ),
    DemoStaff("demo-pharmacist", "XZ01", None, "周文博", "male", "pharmacist", "supervisor_pharmacist", 11),
)


def years_before(day: date, years: int, extra_days: int = 0) -> date:
    try:
        d = day.replace(year=day.year - years)
    except ValueError:  # 29 February
        d = day.replace(year=day.year - years, day=28)
    return d - timedelta(days=extra_days)


class _Planner:
    def __init__(self, today: date) -> None:
        self.today = today
        self.counters: dict[str, int] = {}
        self.plans: list[StaffPlan] = []

    def number(self, prefix: str) -> str:
        n = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = n
        return f"{prefix}{n:05d}"

    def add(
        self,
        r: random.Random,
        inst: InstitutionSpec,
        *,
        key: str,
        kind: str,
        title: str,
        years: int,
        department: str | None,
        name: str,
        sex: str,
    ) -> StaffPlan:
        start = years_before(self.today, years, r.randrange(0, 300))
        valid = self.today + timedelta(days=r.randrange(200, 1800)) if kind == "nurse" else None
        p = StaffPlan(
            key=key,
            institution=inst.code,
            department=department,
            name=name,
            sex=sex,
            kind=kind,
            title=title,
            licence_no=self.number(_LICENCE_PREFIX[kind]),
            licence_valid_until=valid,
            practice_start=start,
            home=geo.near(r, inst.lat, inst.lon, 0.03),
        )
        if kind == "doctor":
            p.credentials.append(self.credential("prescription", start + timedelta(days=365), None))
            if title in ("associate_chief_physician", "chief_physician") and inst.kind != "township":
                p.credentials.append(self.credential("remote_consult", start + timedelta(days=3650), None))
        if kind == "nurse":
            issued = self.today - timedelta(days=r.randrange(60, 900))
            p.credentials.append(self.credential("home_care_training", issued, _plus_years(issued, 3)))
        self.plans.append(p)
        return p

    def credential(self, kind: str, issued: date, expires: date | None) -> CredentialPlan:
        prefix = {"home_care_training": "HC", "prescription": "RX", "remote_consult": "RC"}.get(kind, "SP")
        return CredentialPlan(
            kind, self.number(f"{prefix}330411"), _ISSUERS.get(kind, _SPECIALTY_ISSUER), issued, expires
        )

    def specialty(self, r: random.Random, p: StaffPlan, kind: str) -> None:
        if any(c.kind == kind for c in p.credentials):
            return
        issued = self.today - timedelta(days=r.randrange(100, 1400))
        p.credentials.append(self.credential(kind, issued, _plus_years(issued, 5)))


def _plus_years(day: date, years: int) -> date:
    return years_before(day, -years)


def _clinical(inst: InstitutionSpec) -> list[str]:
    return [d for d in inst.departments if d not in ("70", "30") and not d.startswith("32")] or ["02"]


def _title_index(r: random.Random, inst: InstitutionSpec, kind: str) -> int:
    weights = (
        _HOSPITAL_WEIGHTS if inst.kind in ("tertiary_a", "secondary", "maternal_child") else _PRIMARY_WEIGHTS
    )
    return r.choices(range(len(_TITLES[kind])), weights=weights[kind])[0]


def staff_plan(today: date) -> list[StaffPlan]:
    planner = _Planner(today)
    for d in DEMO_STAFF:
        r = rng("demo-staff", d.key)
        p = planner.add(
            r,
            INSTITUTION_BY_CODE[d.institution],
            key=d.key,
            kind=d.kind,
            title=d.title,
            years=d.years,
            department=d.department,
            name=d.name,
            sex=d.sex,
        )
        for s in d.specialties:
            planner.specialty(r, p, s)
    nurses: list[StaffPlan] = []
    for inst in INSTITUTIONS:
        r = rng("staff", inst.code)
        for kind, count in zip(("doctor", "nurse", "pharmacist", "technician"), inst.staff, strict=True):
            for n in range(1, count + 1):
                female = r.random() < (0.93 if kind == "nurse" else 0.45)
                sex = "female" if female else "male"
                rank = _title_index(r, inst, kind)
                lo, hi = _YEARS_BY_RANK[kind][rank]
                years = r.randint(lo, hi)
                name = names.full_name(r, sex, ANCHOR.year - years - 23)
                if kind == "nurse":
                    dep: str | None = r.choice(["70", "70", *_clinical(inst)])
                elif kind == "doctor":
                    dep = r.choice(_clinical(inst))
                elif kind == "technician":
                    labs: list[str | None] = [d for d in inst.departments if d == "30" or d.startswith("32")]
                    dep = r.choice(labs or [None])
                else:
                    dep = None
                p = planner.add(
                    r,
                    inst,
                    key=f"{inst.code}:{kind}:{n:03d}",
                    kind=kind,
                    title=_TITLES[kind][rank],
                    years=years,
                    department=dep,
                    name=name,
                    sex=sex,
                )
                if kind == "nurse":
                    nurses.append(p)
                    if inst.kind == "maternal_child" and r.random() < 0.5:
                        planner.specialty(r, p, "midwifery")
                    if r.random() < 0.55:
                        planner.specialty(r, p, SPECIALTIES[len(nurses) % len(SPECIALTIES)])
                    if r.random() < 0.15:
                        planner.specialty(r, p, r.choice(SPECIALTIES))
    _make_ineligible(planner, nurses)
    return planner.plans


def _make_ineligible(planner: _Planner, nurses: list[StaffPlan]) -> None:
    """Give PER_REASON nurses each exactly one reason not to be dispatched."""
    r = rng("nurse-eligibility")
    today = planner.today
    chosen = r.sample(nurses, PER_REASON * len(INELIGIBLE_REASONS))
    for i, p in enumerate(chosen):
        reason = INELIGIBLE_REASONS[i // PER_REASON]
        p.ineligible = reason
        training = next(c for c in p.credentials if c.kind == "home_care_training")
        if reason == "practice_under_5_years":
            p.title = "senior_nurse"
            p.practice_start = years_before(today, r.randint(2, 4), r.randrange(0, 300))
        elif reason == "title_below_senior_nurse":
            p.title = "nurse"
            p.practice_start = years_before(today, r.randint(5, 8), r.randrange(1, 300))
        elif reason == "home_care_training_expired":
            training.expires_on = today - timedelta(days=r.randrange(10, 300))
            training.issued_on = years_before(training.expires_on, 3)
        elif reason == "home_care_training_missing":
            p.credentials.remove(training)
        elif reason == "licence_expired":
            p.licence_valid_until = today - timedelta(days=r.randrange(10, 300))
        else:
            p.suspended_reason = SUSPENSION_REASONS[i % len(SUSPENSION_REASONS)]
