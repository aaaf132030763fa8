"""Home-nursing dispatch optimiser: plans a day of visits for an institution's nurses.

Pure Python, no database or web. `solve` proposes routes; `evaluate` independently checks any routes (the
institution's manual overrides included) and computes the objective.
"""

from __future__ import annotations

import time

from .compiled import Compiled
from .evaluate import evaluate
from .lns import search
from .model import Caregiver, Job, Problem, Solution, Stop, Task

__all__ = ["ENGINES", "Caregiver", "Job", "Problem", "Solution", "Stop", "Task", "evaluate", "solve"]


ENGINES = ("lns", "ortools")


def solve(problem: Problem, time_limit: float = 10.0, seed: int = 0, engine: str = "lns") -> Solution:
    """Best plan found within `time_limit` seconds; visits that cannot be placed feasibly are `unassigned`.

    ``engine`` "lns" (default: exact timing of synchronised visits + large-neighbourhood search) or "ortools" (the
    OR-Tools routing model); bench/dispatch.py measures both on the published instances."""
    if engine == "ortools":
        from .ortools_engine import solve_ortools

        return solve_ortools(problem, time_limit)
    began = time.monotonic()
    compiled = Compiled(problem)
    plan = search(compiled, time_limit - (time.monotonic() - began), seed)
    routes: dict[str, list[Stop]] = {}
    for v, route in enumerate(plan.routes):
        stops = []
        for n in route:
            s = plan.start[n]
            stops.append(Stop(problem.jobs[compiled.node_job[n]].id, compiled.node_task[n], s, s + compiled.dur[n]))
        routes[problem.caregivers[v].id] = stops
    return evaluate(problem, routes, seconds=time.monotonic() - began)
