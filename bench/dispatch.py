"""Home-nursing dispatch optimiser on the HHCRSP benchmark (Mankowska 2014 and the extended set).

    python bench/dispatch.py ../shared/bench-data/hhcrsp/mankowska2014 [--time-limit 60] [--solutions-dir DIR]
        [--seed N] [--engine lns|ortools]

PATH is an instance file or a folder of them. Per instance: objective, gap to the best-known value (when one is
in mankowska2014_best_known.csv beside the instances), seconds and the violations found by an independent
checker that reads the instance JSON and the solution JSON only. The last line printed is one JSON object with
the family averages. The optimiser is yihu.nursing.optimiser, the code the product uses, fed through an adapter.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from yihu.nursing.optimiser import ENGINES, Caregiver, Job, Problem, Solution, Task, solve  # noqa: E402

SCALE = 1000  # the published distances are reals: the optimiser works in 1/1000 units, travel rounded up
EPS = 1e-6
FAMILIES = {"10": "A", "25": "B", "50": "C", "75": "D", "100": "E", "200": "F", "300": "G"}


def log(msg: str) -> None:
    print(msg, flush=True)


# ---- adapter: instance JSON -> Problem, Solution -> solution JSON --------------------------------------------


def patient_index(data: dict[str, Any], k: int) -> int:
    patient = data["patients"][k]
    return int(patient["distance_matrix_index"]) if "distance_matrix_index" in patient else k + 1


def caregiver_index(data: dict[str, Any], cg: dict[str, Any]) -> int:
    return int(cg["distance_matrix_index"]) if "distance_matrix_index" in cg else 0


def to_problem(data: dict[str, Any]) -> Problem:
    travel = [[math.ceil(float(d) * SCALE - 1e-6) for d in row] for row in data["distances"]]
    caregivers = []
    for cg in data["caregivers"]:
        at = caregiver_index(data, cg)
        shift = cg.get("working_shift")
        caregivers.append(Caregiver(
            id=cg["id"], abilities=frozenset(cg["abilities"]), start=at, end=at,
            shift=(round(shift[0] * SCALE), round(shift[1] * SCALE)) if shift else (0, 10**15),
        ))
    jobs = []
    for k, p in enumerate(data["patients"]):
        sync = p.get("synchronization") or {}
        gap = sync.get("distance", [0, 0])
        jobs.append(Job(
            id=p["id"], location=patient_index(data, k),
            window=(round(p["time_window"][0] * SCALE), round(p["time_window"][1] * SCALE)),
            tasks=tuple(Task(rc["service"], round(rc["duration"] * SCALE)) for rc in p["required_caregivers"]),
            sync=sync.get("type"), gap=(round(gap[0] * SCALE), round(gap[1] * SCALE)),
            incompatible=frozenset(p.get("incompatible_caregivers", [])),
        ))
    return Problem(caregivers=tuple(caregivers), jobs=tuple(jobs), travel=travel)


def to_solution_json(data: dict[str, Any], solution: Solution) -> dict[str, Any]:
    services = {p["id"]: p["required_caregivers"] for p in data["patients"]}
    routes = []
    for cid, stops in solution.routes.items():
        locations = []
        for stop in stops:
            rc = services[stop.job_id][stop.task_index]
            start = stop.start / SCALE
            locations.append({"patient": stop.job_id, "service": rc["service"], "arrival_time": start,
                              "departure_time": start + float(rc["duration"])})
        routes.append({"caregiver_id": cid, "locations": locations})
    return {"routes": routes}


# ---- independent checker: instance JSON + solution JSON only ---------------------------------------------------


def check(data: dict[str, Any], sol: dict[str, Any]) -> tuple[float, list[str], list[str]]:
    """(objective, violations, unserved patients) recomputed from the published instance and the solution file."""
    dist = data["distances"]
    patients = {p["id"]: (k, p) for k, p in enumerate(data["patients"])}
    cgs = {cg["id"]: cg for cg in data["caregivers"]}
    bad: list[str] = []
    done: dict[tuple[str, str], tuple[str, float]] = {}
    travel = tard_sum = tard_max = 0.0
    for route in sol["routes"]:
        cid = route["caregiver_id"]
        cg = cgs[cid]
        if not route["locations"]:
            continue
        home = caregiver_index(data, cg)
        shift = cg.get("working_shift", [0.0, math.inf])
        here, clock = home, float(shift[0])
        for loc in route["locations"]:
            k, p = patients[loc["patient"]]
            needs = [rc for rc in p["required_caregivers"] if rc["service"] == loc["service"]]
            if not needs:
                bad.append(f"{cid}: {p['id']} does not need {loc['service']}")
                continue
            if loc["service"] not in cg["abilities"]:
                bad.append(f"{cid} cannot perform {loc['service']}")
            if cid in p.get("incompatible_caregivers", []):
                bad.append(f"{cid} is incompatible with {p['id']}")
            key = (p["id"], loc["service"])
            if key in done:
                bad.append(f"{key} served twice")
            start = float(loc["arrival_time"])
            done[key] = (cid, start)
            at = patient_index(data, k)
            leg = float(dist[here][at])
            travel += leg
            if start < clock + leg - EPS:
                bad.append(f"{cid}: {p['id']} starts {start:.3f} before arriving {clock + leg:.3f}")
            if start < p["time_window"][0] - EPS:
                bad.append(f"{p['id']} starts {start:.3f} before its window {p['time_window'][0]}")
            tard = max(0.0, start - p["time_window"][1])
            tard_sum += tard
            tard_max = max(tard_max, tard)
            if abs(float(loc["departure_time"]) - start - float(needs[0]["duration"])) > EPS:
                bad.append(f"{p['id']}: departure is not start + duration")
            clock = start + float(needs[0]["duration"])
            here = at
        leg = float(dist[here][home])
        travel += leg
        if clock + leg > shift[1] + EPS:
            bad.append(f"{cid} back at {clock + leg:.3f} after the shift end {shift[1]}")
    unserved = []
    for pid, (_, p) in patients.items():
        got = [done.get((pid, rc["service"])) for rc in p["required_caregivers"]]
        if any(g is None for g in got):
            if any(g is not None for g in got):
                bad.append(f"{pid} only partly served")
            unserved.append(pid)
            continue
        if len(got) == 2:
            (c0, s0), (c1, s1) = got  # type: ignore[misc]
            if c0 == c1:
                bad.append(f"{pid}: both services by {c0}")
            sync = p.get("synchronization", {})
            if sync.get("type") == "simultaneous" and abs(s0 - s1) > EPS:
                bad.append(f"{pid}: simultaneous starts {s0:.3f} / {s1:.3f}")
            if sync.get("type") == "sequential":
                lo, hi = sync["distance"]
                if not lo - EPS <= s1 - s0 <= hi + EPS:
                    bad.append(f"{pid}: gap {s1 - s0:.3f} outside [{lo}, {hi}]")
    return (travel + tard_sum + tard_max) / 3, bad, unserved


def servable_alone(data: dict[str, Any], pid: str) -> bool:
    """Could some nurse (two different nurses for a two-service patient) serve this patient on an otherwise
    empty day, within the shifts, the hard earliest start and the synchronisation?"""
    dist = data["distances"]
    k, p = next((k, p) for k, p in enumerate(data["patients"]) if p["id"] == pid)
    at = patient_index(data, k)
    e = float(p["time_window"][0])
    needs = p["required_caregivers"]

    def options(rc: dict[str, Any]) -> list[tuple[str, float, float]]:
        out = []  # (caregiver, earliest arrival, latest start that still gets home in the shift)
        for cg in data["caregivers"]:
            if rc["service"] in cg["abilities"] and cg["id"] not in p.get("incompatible_caregivers", []):
                home = caregiver_index(data, cg)
                shift = cg.get("working_shift", [0.0, math.inf])
                out.append((cg["id"], shift[0] + float(dist[home][at]),
                            shift[1] - float(rc["duration"]) - float(dist[at][home])))
        return out

    if len(needs) == 1:
        return any(max(e, arr) <= last + EPS for _, arr, last in options(needs[0]))
    sync = p.get("synchronization", {})
    lo, hi = sync.get("distance", [0, 0]) if sync.get("type") == "sequential" else (0, 0)
    for c0, arr0, last0 in options(needs[0]):
        for c1, arr1, last1 in options(needs[1]):
            if c0 == c1:
                continue
            s0, s1 = max(e, arr0), max(e, arr1)
            for _ in range(4):
                if sync.get("type") is None:
                    break
                s1 = max(s1, s0 + lo)
                s0 = max(s0, s1 - hi)
            if s0 <= last0 + EPS and s1 <= last1 + EPS and (sync.get("type") is None or lo - EPS <= s1 - s0 <= hi + EPS):
                return True
    return False


# ---- driver --------------------------------------------------------------------------------------------------


def best_known(folder: Path) -> dict[str, float]:
    for candidate in (folder / "mankowska2014_best_known.csv", folder.parent / "mankowska2014_best_known.csv"):
        if candidate.exists():
            with candidate.open() as fh:
                return {row["instance"]: float(row["best_known"]) for row in csv.DictReader(fh)}
    return {}


def family(name: str) -> str:
    if name.startswith("Instanz"):
        return FAMILIES.get(name.split("_")[2], "?")
    return "extended"


def instance_files(paths: list[str]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        found = sorted(path.glob("*.json")) if path.is_dir() else [path]

        def order(p: Path) -> tuple[int, int, str]:
            parts = p.stem.split("_")
            if p.stem.startswith("Instanz") and len(parts) == 4:
                return (int(parts[2]), int(parts[3]), p.stem)
            return (0, 0, p.stem)

        files.extend(sorted(found, key=order))
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", metavar="PATH")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--solutions-dir", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--engine", choices=ENGINES, default="lns",
                        help="lns: the product's default optimiser; ortools: the OR-Tools routing model")
    args = parser.parse_args()
    results: dict[str, list[dict[str, Any]]] = {}
    all_feasible = True
    for path in instance_files(args.paths):
        data = json.loads(path.read_text())
        name = path.stem
        solution = solve(to_problem(data), time_limit=args.time_limit, seed=args.seed, engine=args.engine)
        sol_json = to_solution_json(data, solution)
        objective, violations, unserved = check(data, sol_json)
        if "central_offices" in data and unserved:
            violations.append(f"{len(unserved)} patients not served (every Mankowska patient must be)")
        violations += [f"optimiser.evaluate: {v}" for v in solution.violations]
        placeable = [pid for pid in unserved if servable_alone(data, pid)]
        if args.solutions_dir:
            args.solutions_dir.mkdir(parents=True, exist_ok=True)
            (args.solutions_dir / f"sol-{name}.json").write_text(json.dumps(sol_json, indent=1))
        bk = best_known(path.parent).get(name)
        gap = None if bk is None else 100.0 * (objective - bk) / bk
        fam = family(name)
        results.setdefault(fam, []).append({"gap": gap, "seconds": solution.seconds, "feasible": not violations,
                                            "unserved": len(unserved), "placeable": len(placeable)})
        all_feasible = all_feasible and not violations
        gap_txt = "   n/a" if gap is None else f"{gap:+6.2f}%"
        log(f"{name:40s} {fam:8s} objective {objective:9.3f}  best {bk if bk else float('nan'):9.3f}  "
            f"gap {gap_txt}  {solution.seconds:6.1f} s  unserved {len(unserved)} ({len(placeable)} servable alone)  "
            f"{'feasible' if not violations else 'VIOLATIONS ' + str(len(violations))}")
        for v in violations[:10]:
            log(f"    violation: {v}")
    summary: dict[str, Any] = {"all_feasible": all_feasible, "time_limit": args.time_limit, "families": {}}
    for fam, rows in sorted(results.items()):
        gaps = [r["gap"] for r in rows if r["gap"] is not None]
        summary["families"][fam] = {
            "instances": len(rows),
            "avg_gap_pct": round(sum(gaps) / len(gaps), 2) if gaps else None,
            "max_seconds": round(max(r["seconds"] for r in rows), 1),
            "avg_seconds": round(sum(r["seconds"] for r in rows) / len(rows), 1),
            "infeasible": sum(not r["feasible"] for r in rows),
            "unserved": sum(r["unserved"] for r in rows),
            "unserved_but_servable_alone": sum(r["placeable"] for r in rows),
        }
    log(json.dumps(summary))


if __name__ == "__main__":
    main()
