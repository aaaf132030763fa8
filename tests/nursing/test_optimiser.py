"""The dispatch optimiser core: known optimum, two-nurse synchronisation, eligibility, shifts, unassigned jobs,
the independent checker, and one published benchmark instance."""

from __future__ import annotations

import importlib.util
import json
import random
import time
from dataclasses import replace
from pathlib import Path

import pytest

from yihu.errors import DomainError
from yihu.nursing.optimiser import Caregiver, Job, Problem, Stop, Task, evaluate, solve

ALL = frozenset({"s1", "s2"})
ROOT = Path(__file__).resolve().parents[2]
HHCRSP = ROOT.parent / "shared" / "bench-data" / "hhcrsp"


def line_travel(xs: list[int]) -> list[list[int]]:
    return [[abs(a - b) for b in xs] for a in xs]


def nurse(cid: str, at: int = 0, abilities: frozenset[str] = ALL, shift: tuple[int, int] = (0, 10**9)) -> Caregiver:
    return Caregiver(cid, abilities, at, at, shift)


def job(jid: str, at: int, window: tuple[int, int] = (0, 10_000), services: tuple[str, ...] = ("s1",),
        **kw: object) -> Job:
    return Job(jid, at, window, tuple(Task(s, 5) for s in services), **kw)  # type: ignore[arg-type]


def assert_feasible(problem: Problem, routes: dict[str, list[Stop]]) -> None:
    assert evaluate(problem, routes).violations == []


def test_known_optimum_one_nurse_on_a_line() -> None:
    # depot at 0, visits at 10, 20, 30 (minutes): the best tour goes out and back, 60 minutes of travel
    problem = Problem((nurse("n1"),), (job("a", 2), job("b", 1), job("c", 3)), line_travel([0, 10, 20, 30]))
    sol = solve(problem, time_limit=0.3)
    assert sol.unassigned == []
    assert [s.job_id for s in sol.routes["n1"]] == ["b", "a", "c"]
    assert (sol.travel, sol.total_tardiness, sol.max_tardiness) == (60, 0, 0)
    assert sol.objective == pytest.approx(20.0)
    assert sol.violations == []


def test_latest_start_and_earliest_start_shape_the_order() -> None:
    # c (at 30) is due by 30 and b (at 20) may not start before 100: c, b (waiting), a is on time with 60 travel;
    # the geometric order a, c, b has the same travel but c starts 5 late
    problem = Problem(
        (nurse("n1"),),
        (job("a", 1), job("b", 2, window=(100, 10_000)), job("c", 3, window=(0, 30))),
        line_travel([0, 10, 20, 30]),
    )
    sol = solve(problem, time_limit=0.3)
    assert [(s.job_id, s.start) for s in sol.routes["n1"]] == [("c", 30), ("b", 100), ("a", 115)]
    assert (sol.travel, sol.total_tardiness) == (60, 0)


def test_simultaneous_visit_gets_two_nurses_with_equal_starts() -> None:
    problem = Problem(
        (nurse("near", 0, frozenset({"s1"})), nurse("far", 2, frozenset({"s2"})), nurse("both", 0)),
        (job("pair", 1, services=("s1", "s2"), sync="simultaneous"), job("x", 1)),
        line_travel([0, 5, 60]),
    )
    sol = solve(problem, time_limit=0.3)
    stops = {(s.job_id, s.task_index): (cid, s) for cid, route in sol.routes.items() for s in route}
    (c0, s0), (c1, s1) = stops["pair", 0], stops["pair", 1]
    assert c0 != c1
    assert s0.start == s1.start
    assert sol.unassigned == []
    assert sol.violations == []


def test_sequential_visit_respects_the_gap() -> None:
    problem = Problem(
        (nurse("n1"), nurse("n2")),
        (job("seq", 1, window=(0, 100), services=("s1", "s2"), sync="sequential", gap=(20, 30)),),
        line_travel([0, 10]),
    )
    sol = solve(problem, time_limit=0.3)
    stops = {s.task_index: (cid, s) for cid, route in sol.routes.items() for s in route}
    assert stops[0][0] != stops[1][0]
    assert 20 <= stops[1][1].start - stops[0][1].start <= 30
    assert sol.violations == []


def test_abilities_and_incompatibilities_are_respected() -> None:
    problem = Problem(
        (nurse("unable", 0, frozenset({"s2"})), nurse("refused", 0), nurse("far", 2)),
        (job("v", 1, incompatible=frozenset({"refused"})),),
        line_travel([0, 1, 100]),
    )
    sol = solve(problem, time_limit=0.3)
    assert [s.job_id for s in sol.routes["far"]] == ["v"]
    assert sol.routes["unable"] == [] and sol.routes["refused"] == []


def test_shift_end_is_respected_and_impossible_jobs_are_unassigned() -> None:
    problem = Problem(
        (nurse("short", 0, shift=(0, 30)), nurse("long", 0, shift=(100, 400))),
        (job("late", 1, window=(200, 220)), job("never", 1, services=("s9",)),
         job("too_late", 1, window=(500, 600))),
        line_travel([0, 10]),
    )
    sol = solve(problem, time_limit=0.3)
    assert sorted(sol.unassigned) == ["never", "too_late"]
    assert [s.job_id for s in sol.routes["long"]] == ["late"]
    assert sol.routes["short"] == []
    assert sol.violations == []


def test_preferred_nurse_wins_a_tie() -> None:
    problem = Problem((nurse("a"), nurse("b")), (job("v", 1, preferred=frozenset({"b"})),), line_travel([0, 10]))
    assert [s.job_id for s in solve(problem, time_limit=0.3).routes["b"]] == ["v"]


def test_evaluate_catches_broken_routes() -> None:
    problem = Problem(
        (nurse("n1"), nurse("n2", abilities=frozenset({"s1"}))),
        (job("pair", 1, window=(0, 100), services=("s1", "s2"), sync="simultaneous"), job("single", 1)),
        line_travel([0, 10]),
    )
    sol = solve(problem, time_limit=0.3)
    assert sol.violations == []
    routes = {cid: list(stops) for cid, stops in sol.routes.items()}
    # the pair's s2 on a nurse without it, both services on one nurse, a start before the nurse can arrive
    both_on_one = {"n1": [Stop("pair", 0, 10, 15), Stop("pair", 1, 15, 20), Stop("single", 0, 20, 25)], "n2": []}
    found = evaluate(problem, both_on_one).violations
    assert any("two different nurses" in v for v in found)
    assert any("simultaneous" in v for v in found)
    early = {cid: [replace(s, start=s.start - 5, end=s.end - 5) for s in stops] for cid, stops in routes.items()}
    assert any("before arrival" in v for v in evaluate(problem, early).violations)
    wrong_skill = {"n1": [Stop("single", 0, 10, 15)], "n2": [Stop("pair", 1, 10, 15), Stop("pair", 0, 10, 15)]}
    assert any("lacks ability s2" in v for v in evaluate(problem, wrong_skill).violations)


def test_bad_input_is_a_domain_error_and_empty_input_is_fine() -> None:
    with pytest.raises(DomainError):
        solve(Problem((nurse("n1"),), (job("v", 5),), line_travel([0, 10])), time_limit=0.1)
    empty = solve(Problem((), (job("v", 1),), line_travel([0, 10])), time_limit=0.1)
    assert empty.unassigned == ["v"]


@pytest.mark.skipif(not HHCRSP.exists(), reason="needs ../shared/bench-data")
def test_mankowska_a1_within_one_percent_of_best_known() -> None:
    spec = importlib.util.spec_from_file_location("dispatch_bench", ROOT / "bench" / "dispatch.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    data = json.loads((HHCRSP / "mankowska2014" / "InstanzCPLEX_HCSRP_10_1.json").read_text())
    sol = solve(bench.to_problem(data), time_limit=3.0)
    objective, violations, unserved = bench.check(data, bench.to_solution_json(data, sol))
    assert violations == [] and unserved == []
    assert objective <= 218.199 * 1.01


def test_product_sized_day_is_feasible_and_quick() -> None:
    # 60 visits, 20 nurses with home starts, shifts, skills, incompatibilities, preferences and workload balance
    rng = random.Random(7)
    points = [(rng.uniform(0, 30), rng.uniform(0, 30)) for _ in range(80)]
    travel = [[round(3 * (abs(a[0] - b[0]) + abs(a[1] - b[1]))) for b in points] for a in points]
    services = ["wound", "tube", "picc", "stoma", "maternal"]
    nurses = tuple(
        Caregiver(f"n{k}", frozenset(rng.sample(services, 3)), 60 + k, 60 + k,
                  (480, rng.choice([720, 1020, 1080])))
        for k in range(20)
    )
    jobs = []
    for k in range(60):
        e = rng.randrange(480, 900)
        two = k % 6 == 0
        jobs.append(Job(
            f"v{k}", k, (e, e + 120),
            tuple(Task(s, rng.choice([30, 45, 60])) for s in rng.sample(services, 2 if two else 1)),
            sync=("simultaneous" if k % 12 == 0 else "sequential") if two else None, gap=(30, 90),
            incompatible=frozenset({f"n{rng.randrange(20)}"}), preferred=frozenset({f"n{rng.randrange(20)}"}),
        ))
    problem = Problem(nurses, tuple(jobs), travel, balance_weight=0.5)
    began = time.monotonic()
    sol = solve(problem, time_limit=2.0)
    assert time.monotonic() - began < 4.0
    assert sol.violations == []
    assert len(sol.unassigned) <= 3
    served = {s.job_id for route in sol.routes.values() for s in route}
    assert served.isdisjoint(sol.unassigned) and len(served) + len(sol.unassigned) == 60


def test_the_ortools_engine_solves_the_same_problem_feasibly():
    """The OR-Tools routing engine (the alternative the default was measured against) is wired in and feasible:
    abilities, a simultaneous two-nurse visit on two different nurses, shift ends."""
    travel = [[0, 10, 15, 20], [10, 0, 8, 12], [15, 8, 0, 9], [20, 12, 9, 0]]
    nurses = (Caregiver("a", frozenset({"s"}), 0, 0, (0, 600)), Caregiver("b", frozenset({"s", "p"}), 0, 0, (0, 600)))
    jobs = (Job("j1", 1, (30, 60), (Task("s", 20),)), Job("j2", 2, (0, 200), (Task("p", 30),)),
            Job("j3", 3, (100, 140), (Task("s", 15), Task("s", 15)), sync="simultaneous"))
    problem = Problem(nurses, jobs, travel)
    sol = solve(problem, time_limit=2, engine="ortools")
    assert sol.violations == [] and sol.unassigned == []
    where = {(s.job_id, s.task_index): (n, s.start) for n, route in sol.routes.items() for s in route}
    assert where[("j2", 0)][0] == "b"  # only b has the ability
    (n0, t0), (n1, t1) = where[("j3", 0)], where[("j3", 1)]
    assert n0 != n1 and t0 == t1 >= 100
    assert evaluate(problem, sol.routes).violations == []
