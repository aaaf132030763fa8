"""Dispatcher parts: the travel estimate, nurses' shifts, and the problem handed to the optimiser."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from tests import builders as b
from tests.nursing import builders as nb
from yihu.kit import clock
from yihu.nursing import dispatch, travel
from yihu.nursing.models import NursingShift

DAY = nb.tomorrow()


# ---- travel ----

def test_distance_is_the_great_circle():
    assert travel.distance_km((30.0, 120.0), (30.0, 120.0)) == 0
    # one degree of latitude is ~111.2 km anywhere
    assert travel.distance_km((30.0, 120.0), (31.0, 120.0)) == pytest.approx(111.19, abs=0.05)
    # Shanghai People's Square to Hangzhou West Lake: ~167 km as the crow flies
    assert travel.distance_km((31.2304, 121.4737), (30.2590, 120.1388)) == pytest.approx(167, abs=2)


def test_minutes_use_a_detour_factor_an_urban_speed_and_a_floor():
    assert travel.minutes((30.0, 120.0), (30.0, 120.0)) == 0
    # 100 m apart: still the minimum of a few minutes
    assert travel.minutes((30.0, 120.0), (30.0009, 120.0)) == travel.MIN_MINUTES == 5
    # 10 km apart: 10 x 1.3 / 25 h = 31.2 -> 32 minutes
    ten_km = (30.0 + 10 / 111.195, 120.0)
    assert travel.distance_km((30.0, 120.0), ten_km) == pytest.approx(10.0, abs=0.01)
    assert travel.minutes((30.0, 120.0), ten_km) == 32
    assert travel.minutes(ten_km, (30.0, 120.0)) == 32


def test_matrix_is_square_symmetric_with_a_zero_diagonal():
    pts = [(nb.INST_LAT, nb.INST_LON), (nb.HOME_LAT, nb.HOME_LON), (30.75, 120.70)]
    m = travel.matrix(pts)
    assert [len(r) for r in m] == [3, 3, 3]
    assert all(m[i][i] == 0 for i in range(3))
    assert all(m[i][j] == m[j][i] == travel.minutes(pts[i], pts[j]) for i in range(3) for j in range(3))
    assert m[0][1] == 6  # the demo institution to the demo home: 1.63 km x 1.3 / 25 km/h = 5.1 -> 6 minutes


# ---- shifts ----

async def test_the_admin_sets_lists_and_removes_shifts_of_registered_nurses(client, session):
    w = await nb.world(session, nurses=2)
    (n1, _), (n2, acc2) = w.nurses
    n2.home_latitude, n2.home_longitude = 30.7900, 120.7300
    elsewhere = await b.institution(session)
    outsider, _ = await nb.nurse(session, elsewhere)
    await b.done(session)
    adm, url = b.auth(w.admin), f"/api/v1/institutions/{w.inst.id}/nursing/shifts"
    r = await client.put(f"{url}/{DAY}/{n1.id}", json={"start": "08:00", "end": "16:30"}, headers=adm)
    assert r.status_code == 200, r.text
    s1 = r.json()
    # no home coordinates: the round starts at the institution
    assert (s1["start"], s1["end"], s1["start_latitude"], s1["start_longitude"]) == ("08:00", "16:30", nb.INST_LAT,
                                                                                     nb.INST_LON)
    assert s1["start_at"].startswith(f"{DAY}T00:00:00")  # 08:00 in Shanghai is midnight UTC
    r = await client.put(f"{url}/{DAY}/{n2.id}", json={"start": "07:30", "end": "12:00"}, headers=adm)
    assert (r.json()["start_latitude"], r.json()["start_longitude"]) == (30.79, 120.73)  # her home
    # setting it again replaces the day's shift, with an explicit start point
    r = await client.put(f"{url}/{DAY}/{n1.id}", json={"start": "09:00", "end": "17:00", "start_latitude": 30.7,
                                                      "start_longitude": 120.6}, headers=adm)
    assert (r.json()["id"], r.json()["start"], r.json()["start_latitude"]) == (s1["id"], "09:00", 30.7)
    r = await client.get(url, params={"day": DAY.isoformat()}, headers=adm)
    assert [(s["practitioner_id"], s["start"]) for s in r.json()] == [(n2.id, "07:30"), (n1.id, "09:00")]
    assert (await client.get(url, params={"day": (DAY + timedelta(days=1)).isoformat()}, headers=adm)).json() == []
    r = await client.delete(f"{url}/{DAY}/{n2.id}", headers=adm)
    assert r.status_code == 204
    r = await client.delete(f"{url}/{DAY}/{n2.id}", headers=adm)
    assert (r.status_code, r.json()["code"]) == (404, "nursing.shift_not_found")
    assert await session.scalar(select(func.count()).select_from(NursingShift)) == 1


async def test_bad_shifts_are_refused_and_nothing_is_stored(client, session):
    w = await nb.world(session, nurses=1)
    n1, nurse_acc = w.nurses[0]
    elsewhere = await b.institution(session)
    outsider, _ = await nb.nurse(session, elsewhere)
    other_admin = await b.staff(session, role="institution_admin", inst=elsewhere)
    await b.done(session)
    adm, url = b.auth(w.admin), f"/api/v1/institutions/{w.inst.id}/nursing/shifts"
    ok = {"start": "08:00", "end": "12:00"}
    cases = [
        (f"{url}/{DAY}/{outsider.id}", ok, adm, 404, "nursing.not_our_nurse"),
        (f"{url}/{DAY}/{w.admin.id}", ok, adm, 404, "nursing.not_our_nurse"),
        (f"{url}/{DAY}/{n1.id}", {"start": "12:00", "end": "08:00"}, adm, 422, "nursing.shift_invalid"),
        (f"{url}/{DAY}/{n1.id}", {"start": "8:00", "end": "12:00"}, adm, 422, "common.validation"),
        (f"{url}/{DAY - timedelta(days=2)}/{n1.id}", ok, adm, 422, "nursing.shift_invalid"),
        (f"{url}/{DAY}/{n1.id}", {**ok, "start_latitude": 95.0, "start_longitude": 120.0}, adm, 422,
         "common.validation"),
        (f"{url}/{DAY}/{n1.id}", ok, b.auth(other_admin), 403, "auth.forbidden"),
        (f"{url}/{DAY}/{n1.id}", ok, b.auth(nurse_acc), 403, "auth.role_required"),
    ]
    for path, body, headers, code, err in cases:
        r = await client.put(path, json=body, headers=headers)
        assert (r.status_code, r.json()["code"]) == (code, err), (path, body)
    assert await session.scalar(select(func.count()).select_from(NursingShift)) == 0


# ---- the problem handed to the optimiser (pure) ----

def _order(oid: str, *, required: int = 1, at: tuple[float, float] = (nb.HOME_LAT, nb.HOME_LON), window=("09:00",
           "11:00"), status: str = "accepted", nurse_id: str | None = None, planned: str | None = None):
    start = nb.at(DAY, planned) if planned else None
    return SimpleNamespace(id=oid, nurses_required=required, latitude=at[0], longitude=at[1],
                           window_start_at=nb.at(DAY, window[0]), window_end_at=nb.at(DAY, window[1]), status=status,
                           nurse_id=nurse_id, second_nurse_id=None, planned_start_at=start,
                           planned_end_at=start + timedelta(minutes=30) if start else None)


def _shift(nid: str, start: str = "08:00", end: str = "17:00"):
    s = SimpleNamespace(start_at=nb.at(DAY, start), end_at=nb.at(DAY, end), start_latitude=nb.INST_LAT,
                        start_longitude=nb.INST_LON)
    return s, SimpleNamespace(id=nid)


def test_the_problem_carries_eligibility_two_nurse_visits_continuity_and_pinned_visits():
    d = dispatch.Day(
        day=DAY, institution_id="i", shifts=[_shift("a"), _shift("b"), _shift("c", "13:00")],
        orders=[_order("o1"), _order("o2", required=2, window=("10:00", "12:00")), _order("o3"), _order("o4"),
                _order("o5"), _order("o6")],
        fixed=[_order("f1", status="consented", nurse_id="b", planned="14:00")],
        duration={"o1": 40, "o2": 60, "o3": 30, "o4": 30, "o5": 30, "o6": 30},
        eligible={"o1": {"a", "b", "c"}, "o2": {"a", "b", "c"}, "o3": {"a"}, "o4": set(), "o5": {"a", "d"},
                  "o6": {"z"}},
        preferred={"o1": {"b"}})
    built = dispatch.build(d, now=nb.at(DAY, "06:00") - timedelta(days=1))  # type: ignore[arg-type]
    p = built.problem
    assert built.reasons == {"o4": "no_eligible_nurse", "o6": "no_shift"}
    jobs = {j.id: j for j in p.jobs}
    assert set(jobs) == {"o1", "o2", "o3", "o5"}
    a, b0, b1, c = "a~0", "b~0", "b~1", "c~0"
    assert (jobs["o1"].window, jobs["o1"].preferred, jobs["o1"].incompatible) == ((540, 660), {b0, b1}, frozenset())
    assert (len(jobs["o2"].tasks), jobs["o2"].sync, jobs["o2"].tasks[0].duration) == (2, "simultaneous", 60)
    assert jobs["o3"].incompatible == {b0, b1, c}
    assert jobs["o5"].incompatible == {b0, b1, c}  # "d" is eligible but has no shift
    # the consented visit stays with its nurse at its time: it cuts b's shift in two pieces, the first ending at
    # its door when it starts (14:00), the second leaving from there when it ends (14:30)
    assert built.fixed == [("f1", 0, "b", nb.at(DAY, "14:00"))]
    shifts = {cg.id: cg.shift for cg in p.caregivers}
    assert shifts == {a: (480, 1020), b0: (480, 840), b1: (870, 1020), c: (780, 1020)}
    cg = {x.id: x for x in p.caregivers}
    assert cg[b0].end == cg[b1].start != cg[b0].start
    assert p.balance_weight > 0
    # two-nurse items need two eligible nurses on shift
    d.eligible["o2"] = {"a", "d"}
    assert dispatch.build(d, now=nb.at(DAY, "06:00")).reasons["o2"] == "no_shift"  # type: ignore[arg-type]


def test_planning_today_starts_from_now():
    today = clock.local_date(clock.now())
    d = dispatch.Day(day=today, institution_id="i", shifts=[], orders=[], fixed=[], duration={}, eligible={})
    s, p = _shift("a")
    s.start_at, s.end_at = clock.at_local(today, clock.parse_hhmm("08:00")), clock.at_local(today,
                                                                                            clock.parse_hhmm("20:00"))
    d.shifts = [(s, p)]  # type: ignore[list-item]
    now = clock.at_local(today, clock.parse_hhmm("10:15"))
    assert dispatch.build(d, now=now).problem.caregivers[0].shift == (615, 1200)


async def test_a_plan_is_made_for_today_or_later_only(client, session):
    w = await nb.world(session, nurses=1)
    yesterday = clock.local_date(clock.now()) - timedelta(days=1)
    r = await client.post(f"/api/v1/institutions/{w.inst.id}/nursing/plans", json={"day": yesterday.isoformat()},
                          headers=b.auth(w.admin))
    assert (r.status_code, r.json()["code"]) == (422, "nursing.plan_day_invalid")
