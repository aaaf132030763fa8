"""The OR-Tools routing engine: the straightforward model of the dispatch problem, the baseline the default engine
was chosen against (`python bench/dispatch.py PATH --engine ortools`; `YIHU_NURSING_DISPATCH_ENGINE=ortools` makes
the product use it).

One node per task, skills as allowed vehicles, soft latest start, synchronisation as constraints on the time
dimension's cumul variables and different vehicles for the two tasks of a visit, PATH_CHEAPEST_ARC + guided local
search. Start times are then recomputed exactly from the routes. Each nurse's day ends where it starts in this
model. Measured on the HHCRSP instances (bench/dispatch.py, same machine, 60 s): no solution on C1 at 20 s, +3.5 % on
C2 and +17.3 % on E2, against +0.5 % and +1.0 % for the large-neighbourhood search, which is therefore the default.
"""

from __future__ import annotations

import time
from typing import Any

from .compiled import SEQ_FIRST, SIMULTANEOUS, Compiled
from .evaluate import evaluate
from .model import Problem, Solution, Stop


def solve_ortools(problem: Problem, time_limit: float) -> Solution:
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    began = time.monotonic()
    c = Compiled(problem)
    n_nodes, n_vehicles = c.n_nodes, c.n_vehicles
    first = n_vehicles  # nodes 0..V-1 are the nurses' start points, then one node per task
    locs = list(c.v_start) + c.loc
    durs = [0] * n_vehicles + c.dur
    manager = pywrapcp.RoutingIndexManager(n_vehicles + n_nodes, n_vehicles, list(range(n_vehicles)),
                                           list(range(n_vehicles)))
    routing = pywrapcp.RoutingModel(manager)

    def dist(i: int, j: int) -> int:
        return int(c.travel[locs[manager.IndexToNode(i)]][locs[manager.IndexToNode(j)]])

    def transit(i: int, j: int) -> int:
        return int(durs[manager.IndexToNode(i)]) + dist(i, j)

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(dist))
    horizon = max([10**6, 4 * max(c.late, default=0)] + [s for s in c.shift_end if s < 10**12])
    routing.AddDimension(routing.RegisterTransitCallback(transit), horizon, horizon, False, "time")
    dim = routing.GetDimensionOrDie("time")
    for v in range(n_vehicles):
        dim.CumulVar(routing.Start(v)).SetMin(c.shift_begin[v])
        dim.CumulVar(routing.End(v)).SetMax(min(c.shift_end[v], horizon))
    solver = routing.solver()
    for n in range(n_nodes):
        index = manager.NodeToIndex(first + n)
        dim.CumulVar(index).SetMin(c.early[n])
        dim.SetCumulVarSoftUpperBound(index, c.late[n], 1)
        routing.VehicleVar(index).SetValues([-1, *c.eligible[n]])
    for job_nodes in c.job_nodes:  # optional visit, both tasks or none
        indices = [manager.NodeToIndex(first + n) for n in job_nodes]
        routing.AddDisjunction([indices[0]], 10**9)
        for other in indices[1:]:
            solver.Add(routing.ActiveVar(indices[0]) == routing.ActiveVar(other))
    for a, b, kind, gmin, gmax in c.pairs:
        ia, ib = manager.NodeToIndex(first + a), manager.NodeToIndex(first + b)
        ca, cb = dim.CumulVar(ia), dim.CumulVar(ib)
        if kind == SIMULTANEOUS:
            solver.Add(ca == cb)
        elif kind == SEQ_FIRST:
            solver.Add(cb - ca >= gmin)
            solver.Add(cb - ca <= gmax)
        solver.Add(routing.VehicleVar(ia) != routing.VehicleVar(ib))
    params: Any = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(max(1, int(1000 * (time_limit - (time.monotonic() - began)))))
    assignment = routing.SolveWithParameters(params)
    routes: list[list[int]] = [[] for _ in range(n_vehicles)]
    if assignment is not None:
        for v in range(n_vehicles):
            index = assignment.Value(routing.NextVar(routing.Start(v)))
            while not routing.IsEnd(index):
                routes[v].append(manager.IndexToNode(index) - first)
                index = assignment.Value(routing.NextVar(index))
    start = c.schedule(routes)
    if start is None:  # the model's own times are feasible, but keep the bench honest: report nothing placed
        routes = [[] for _ in range(n_vehicles)]
        start = [0] * n_nodes
    stops = {
        problem.caregivers[v].id: [
            Stop(problem.jobs[c.node_job[n]].id, c.node_task[n], start[n], start[n] + c.dur[n]) for n in route
        ]
        for v, route in enumerate(routes)
    }
    return evaluate(problem, stops, seconds=time.monotonic() - began)
