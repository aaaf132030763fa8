"""Observation for the vital signs of a nursing record: LOINC codes, UCUM units, category vital-signs.

One Observation per sign present in ``NursingRecord.vitals`` (the keys of ``nursing.visit_schemas.Vitals``), id
``nursing-<record id>-<kind>``: temperature_c (Cel), pulse_bpm and respiration_per_min (/min), systolic_mmhg and
diastolic_mmhg (one blood-pressure panel with two components, mm[Hg]), spo2_percent (%), glucose_mmol_l (mmol/L).
A number becomes a Quantity; anything else (rows not written through the API) is kept as text.
The signs carry no time of their own: ``effectiveDateTime`` is when the nurse signed the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from fhir.resources.R4B.observation import Observation

from yihu.fhir.mappers.common import coding, reference, without_none
from yihu.fhir.mappers.nursing import PREFIX, OrderRows, encounter_id, nurse_reference
from yihu.fhir.mappers.observation import CATEGORY, UCUM
from yihu.fhir.mappers.schedule import local_instant

LOINC = "http://loinc.org"
ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"


@dataclass(frozen=True)
class Vital:
    kind: str  # the id suffix
    key: str  # its key in ``NursingRecord.vitals`` (``nursing.visit_schemas.Vitals``)
    codes: tuple[tuple[str, str], ...]  # LOINC (code, display)
    zh: str
    unit: str  # UCUM


TEMPERATURE = Vital("temp", "temperature_c", (("8310-5", "Body temperature"),), "体温", "Cel")
PULSE = Vital("hr", "pulse_bpm", (("8867-4", "Heart rate"),), "脉搏", "/min")
RESPIRATION = Vital("rr", "respiration_per_min", (("9279-1", "Respiratory rate"),), "呼吸", "/min")
BP = Vital("bp", "", (("85354-9", "Blood pressure panel with all children optional"),), "血压", "mm[Hg]")
SYSTOLIC = Vital("sys", "systolic_mmhg", (("8480-6", "Systolic blood pressure"),), "收缩压", "mm[Hg]")
DIASTOLIC = Vital("dia", "diastolic_mmhg", (("8462-4", "Diastolic blood pressure"),), "舒张压", "mm[Hg]")
SPO2 = Vital("spo2", "spo2_percent", (("2708-6", "Oxygen saturation in Arterial blood"),
                                      ("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry")),
             "血氧饱和度", "%")
GLUCOSE = Vital("glu", "glucose_mmol_l", (("15074-8", "Glucose [Moles/volume] in Blood"),), "血糖", "mmol/L")

# The Observations of a record, in this order; the blood-pressure panel is there when either pressure is.
KINDS: tuple[str, ...] = ("temp", "hr", "rr", "bp", "spo2", "glu")
BY_KIND: dict[str, Vital] = {v.kind: v for v in (TEMPERATURE, PULSE, RESPIRATION, BP, SPO2, GLUCOSE)}
KEYS_OF: dict[str, tuple[str, ...]] = {k: (BY_KIND[k].key,) for k in KINDS}
KEYS_OF["bp"] = (SYSTOLIC.key, DIASTOLIC.key)
STATUS: dict[str, str] = {"final": "final", "amended": "amended", "entered-in-error": "entered-in-error"}


def observation_id(record_id: str, kind: str) -> str:
    return f"{PREFIX}{record_id}-{kind}"


def parse_id(observation: str) -> tuple[str, str] | None:
    """``nursing-<record id>-<kind>`` → (record id, kind)."""
    if not observation.startswith(PREFIX):
        return None
    record_id, _, kind = observation[len(PREFIX):].rpartition("-")
    return (record_id, kind) if record_id and kind in BY_KIND else None


def kinds_of_code(system: str | None, code: str) -> set[str]:
    """The kinds whose code matches (``system`` None: any system; ``code`` empty: any code of LOINC)."""
    if system not in (None, LOINC):
        return set()
    return {k for k in KINDS if not code or any(c == code for c, _ in BY_KIND[k].codes)}


def present(vitals: dict[str, Any]) -> list[str]:
    return [k for k in KINDS if any(vitals.get(key) is not None for key in KEYS_OF[k])]


def _number(raw: Any) -> Decimal | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _value(v: Vital, raw: Any, prefix: str = "value") -> dict[str, Any]:
    number = _number(raw)
    if number is not None:
        return {f"{prefix}Quantity": {"value": number, "unit": v.unit, "system": UCUM, "code": v.unit}}
    text = raw if isinstance(raw, str) else str(raw)
    if text.strip():
        return {f"{prefix}String": text.strip()}
    return {"dataAbsentReason": {"coding": [coding(ABSENT, "unknown", "Unknown")]}}


def _concept(v: Vital) -> dict[str, Any]:
    return {"coding": [coding(LOINC, c, d) for c, d in v.codes], "text": v.zh}


def _bp_value(vitals: dict[str, Any]) -> dict[str, Any]:
    return {"component": [{"code": _concept(v), **_value(v, vitals[v.key])} for v in (SYSTOLIC, DIASTOLIC)
                          if vitals.get(v.key) is not None]}


def to_fhir(rows: OrderRows, kind: str) -> Observation:
    r = rows.record
    if r is None:
        raise ValueError("an order without a record has no vital signs")
    v = BY_KIND[kind]
    vitals = r.vitals or {}
    value = _bp_value(vitals) if kind == "bp" else _value(v, vitals[v.key])
    o = rows.order
    body: dict[str, Any] = without_none({
        "resourceType": "Observation",
        "id": observation_id(r.id, kind),
        "meta": {"lastUpdated": r.signed_at.isoformat()},
        "status": STATUS.get(r.status, "final"),
        "category": [{"coding": [coding(CATEGORY, "vital-signs", "Vital Signs")], "text": "生命体征"}],
        "code": _concept(v),
        "subject": reference("Patient", o.patient_id),
        "encounter": reference("Encounter", encounter_id(o.id)) if o.checked_in_at is not None else None,
        "effectiveDateTime": local_instant(r.signed_at),
        "issued": local_instant(r.signed_at),
        "performer": [nurse_reference(rows, r.nurse_id)],
        **value,
    })
    return Observation.model_validate(body)
