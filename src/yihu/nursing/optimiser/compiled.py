"""A Problem flattened into arrays (one node per task) and the exact earliest-start schedule of given routes.

Given the order of visits on every route, every constraint is a lower bound on a start (travel from the previous
stop, hard earliest start, the partner of a two-nurse visit), so the earliest schedule satisfying all of them is
pointwise the least one and minimises every tardiness at once: a plan is its routes; the times follow.
"""

from __future__ import annotations

from yihu.errors import DomainError

from .errors import BAD_PROBLEM
from .model import Problem

NONE, SIMULTANEOUS, SEQ_FIRST, SEQ_SECOND = 0, 1, 2, 3
HORIZON = 10**8
PREFERENCE_PENALTY = 15  # minutes-equivalent per task served by a non-preferred nurse when preferences exist


class Compiled:
    """Arrays indexed by node (a job's task) and by vehicle (a caregiver)."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        size = len(problem.travel)
        rows = [list(map(int, row)) for row in problem.travel]
        if any(len(row) != size for row in rows):
            raise DomainError(BAD_PROBLEM, reason="travel matrix is not square")
        self.travel = rows
        cgs = problem.caregivers
        self.n_vehicles = len(cgs)
        for cg in cgs:
            if not (0 <= cg.start < size and 0 <= cg.end < size):
                raise DomainError(BAD_PROBLEM, reason="caregiver location outside the travel matrix")
        if len({cg.id for cg in cgs}) != len(cgs) or len({j.id for j in problem.jobs}) != len(problem.jobs):
            raise DomainError(BAD_PROBLEM, reason="duplicate ids")
        self.v_start = [cg.start for cg in cgs]
        self.v_end = [cg.end for cg in cgs]
        self.shift_begin = [int(cg.shift[0]) for cg in cgs]
        self.shift_end = [int(cg.shift[1]) for cg in cgs]
        self.job_nodes: list[list[int]] = []
        self.node_job: list[int] = []
        self.node_task: list[int] = []
        self.loc: list[int] = []
        self.dur: list[int] = []
        self.early: list[int] = []
        self.late: list[int] = []
        self.partner: list[int] = []
        self.kind: list[int] = []
        self.gap_min: list[int] = []
        self.gap_max: list[int] = []
        self.eligible: list[list[int]] = []
        self.preferred: list[frozenset[int]] = []
        ids = [cg.id for cg in cgs]
        for j, job in enumerate(problem.jobs):
            if not 1 <= len(job.tasks) <= 2:
                raise DomainError(BAD_PROBLEM, reason="a visit needs one or two tasks")
            if not 0 <= job.location < size:
                raise DomainError(BAD_PROBLEM, reason="visit location outside the travel matrix")
            if job.sync not in (None, "simultaneous", "sequential"):
                raise DomainError(BAD_PROBLEM, reason="unknown synchronisation")
            if job.gap[0] > job.gap[1]:
                raise DomainError(BAD_PROBLEM, reason="sequential gap minimum exceeds its maximum")
            pref = frozenset(v for v, cid in enumerate(ids) if cid in job.preferred)
            first = len(self.node_job)
            nodes = []
            for t, task in enumerate(job.tasks):
                if task.duration < 0:
                    raise DomainError(BAD_PROBLEM, reason="negative duration")
                n = len(self.node_job)
                nodes.append(n)
                self.node_job.append(j)
                self.node_task.append(t)
                self.loc.append(job.location)
                self.dur.append(int(task.duration))
                self.early.append(int(job.window[0]))
                self.late.append(int(job.window[1]))
                two = len(job.tasks) == 2
                self.partner.append(first + 1 - t if two else -1)
                if two and job.sync == "simultaneous":
                    kind = SIMULTANEOUS
                elif two and job.sync == "sequential":
                    kind = SEQ_FIRST if t == 0 else SEQ_SECOND
                else:
                    kind = NONE
                self.kind.append(kind)
                self.gap_min.append(int(job.gap[0]))
                self.gap_max.append(int(job.gap[1]))
                self.eligible.append([
                    v for v, cg in enumerate(cgs)
                    if task.service in cg.abilities and cg.id not in job.incompatible
                ])
                self.preferred.append(pref)
            self.job_nodes.append(nodes)
        self.n_nodes = len(self.node_job)
        self.pairs = [
            (nodes[0], nodes[1], self.kind[nodes[0]], self.gap_min[nodes[0]], self.gap_max[nodes[0]])
            for nodes in self.job_nodes if len(nodes) == 2
        ]
        self.max_rounds = 2 * len(self.pairs) + 3
        self.possible = [self.servable_alone(nodes) for nodes in self.job_nodes]
        self.remoteness = [  # travel from the nearest start point of a nurse who could serve it
            min((rows[self.v_start[v]][self.loc[n]] for n in nodes for v in self.eligible[n]), default=0)
            for nodes in self.job_nodes
        ]

    def servable_alone(self, nodes: list[int]) -> bool:
        """Whether some nurse (two different ones for a two-nurse visit) could serve the job on an empty day."""
        travel = self.travel

        def slots(n: int) -> list[tuple[int, int, int]]:  # (vehicle, earliest start, latest start)
            out = []
            for v in self.eligible[n]:
                first = max(self.early[n], self.shift_begin[v] + travel[self.v_start[v]][self.loc[n]])
                last = self.shift_end[v] - self.dur[n] - travel[self.loc[n]][self.v_end[v]]
                if first <= last:
                    out.append((v, first, last))
            return out

        if len(nodes) == 1:
            return bool(slots(nodes[0]))
        a, b = nodes
        kind, gmin, gmax = self.kind[a], self.gap_min[a], self.gap_max[a]
        for va, fa, la in slots(a):
            for vb, fb, lb in slots(b):
                if va == vb:
                    continue
                sa, sb = fa, fb
                if kind == SIMULTANEOUS:
                    sa = sb = max(fa, fb)
                elif kind == SEQ_FIRST:
                    sb = max(fb, fa + gmin)
                    sa = max(fa, sb - gmax)
                if sa <= la and sb <= lb:
                    return True
        return False

    def schedule(self, routes: list[list[int]]) -> list[int] | None:
        """Earliest starts of every routed node (others stay 0), or None if no feasible timing exists."""
        travel, loc, dur = self.travel, self.loc, self.dur
        lower = list(self.early)
        start = [0] * self.n_nodes
        on_route = [False] * self.n_nodes
        for route in routes:
            for n in route:
                on_route[n] = True
        pairs = [p for p in self.pairs if on_route[p[0]] and on_route[p[1]]]
        for _ in range(self.max_rounds):
            for v, route in enumerate(routes):
                t = self.shift_begin[v]
                prev = self.v_start[v]
                for n in route:
                    row = travel[prev]
                    prev = loc[n]
                    s = t + row[prev]
                    if s < lower[n]:
                        s = lower[n]
                    start[n] = s
                    t = s + dur[n]
            changed = False
            for a, b, kind, gmin, gmax in pairs:
                sa, sb = start[a], start[b]
                if kind == SIMULTANEOUS:
                    if sa < sb:
                        lower[a] = sb
                        changed = True
                    elif sb < sa:
                        lower[b] = sa
                        changed = True
                elif kind == SEQ_FIRST:
                    if sb < sa + gmin:
                        lower[b] = sa + gmin
                        changed = True
                    if sa < sb - gmax:
                        lower[a] = sb - gmax
                        changed = True
            if not changed:
                return start if self.shifts_ok(routes, start) else None
        return None

    def shifts_ok(self, routes: list[list[int]], start: list[int]) -> bool:
        for v, route in enumerate(routes):
            if route:
                last = route[-1]
                if start[last] + self.dur[last] + self.travel[self.loc[last]][self.v_end[v]] > self.shift_end[v]:
                    return False
        return True
