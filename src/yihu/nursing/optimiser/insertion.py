"""Timing one insertion exactly: inserting a job only adds lower bounds, so the new schedule is found by pushing
starts later from the current one: the inserted stops, then whatever follows them on their routes, then the
partners of pushed two-nurse stops, until nothing moves (or a cycle of pushes shows the insertion cannot be timed).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .compiled import HORIZON, PREFERENCE_PENALTY, SEQ_FIRST, SEQ_SECOND, SIMULTANEOUS

if TYPE_CHECKING:
    from .plan import Plan

MAX_PUSHES = 4  # a stop pushed later more often than this sits on a cycle of waits (or nearly): reject


@dataclass
class Move:
    job: int
    inserts: list[tuple[int, int, int]]  # (vehicle, position, node)
    starts: dict[int, int]  # node -> new start
    delta: float



def simulate(plan: Plan, j: int, inserts: list[tuple[int, int, int]], cutoff: float = math.inf) -> Move | None:
    """Time job j inserted at these slots; None if infeasible or (cost increase known to be) >= cutoff."""
    c = plan.c
    travel, loc, dur, partner, kind, late = c.travel, c.loc, c.dur, c.partner, c.kind, c.late
    start, vehicle, index = plan.start, plan.vehicle, plan.index
    if plan.balance_factor:
        cutoff = math.inf  # the balance term may fall: partial sums are no lower bound
    tard_max = new_max = plan.tard_max
    delta = 0.0
    new_routes: dict[int, list[int]] = {}
    at: dict[int, int] = {}
    placed: dict[int, tuple[int, int]] = {}
    news: dict[int, int] = {}
    work_delta: dict[int, int] = {}
    for v, i, n in inserts:
        route = list(plan.routes[v])
        x = loc[n]
        if route:
            prev_loc = loc[route[i - 1]] if i > 0 else c.v_start[v]
            next_loc = loc[route[i]] if i < len(route) else c.v_end[v]
            dt = travel[prev_loc][x] + travel[x][next_loc] - travel[prev_loc][next_loc]
        else:
            dt = travel[c.v_start[v]][x] + travel[x][c.v_end[v]]
        delta += dt
        work_delta[v] = dt + dur[n]
        pref = c.preferred[n]
        if pref and v not in pref:
            delta += PREFERENCE_PENALTY
        route.insert(i, n)
        new_routes[v] = route
        at[v] = i
        placed[n] = (v, i)
        news[n] = c.early[n]
        tard = c.early[n] - late[n]
        if tard > 0:
            delta += tard
            if tard > new_max:
                new_max = tard
    if delta + new_max - tard_max >= cutoff:
        return None
    work = [(v, i) for v, i, _ in inserts]
    touched = set(new_routes)
    budget = 8 * c.n_nodes + 64
    pushes: dict[int, int] = {}
    while work:
        v, i = work.pop()
        touched.add(v)
        route = new_routes.get(v) or plan.routes[v]
        if i == 0:
            t = c.shift_begin[v]
            prev = c.v_start[v]
        else:
            m = route[i - 1]
            t = news.get(m, start[m]) + dur[m]
            prev = loc[m]
        for k in range(i, len(route)):
            budget -= 1
            if budget < 0:
                return None
            n = route[k]
            x = loc[n]
            s = t + travel[prev][x]
            prev = x
            old = news.get(n, start[n])
            if s < old:
                s = old
            p = partner[n]
            kd = kind[n]
            if kd:
                sp = news.get(p, start[p])
                if kd == SIMULTANEOUS:
                    if s < sp:
                        s = sp
                elif kd == SEQ_SECOND:
                    if s < sp + c.gap_min[n]:
                        s = sp + c.gap_min[n]
                elif s < sp - c.gap_max[n]:
                    s = sp - c.gap_max[n]
            if s == old:
                if n not in placed:
                    break
            else:
                if s > HORIZON:
                    return None
                if n in news:
                    seen = pushes.get(n, 0) + 1
                    if seen > MAX_PUSHES:
                        return None  # pushed round a cycle: these routes cannot be timed
                    pushes[n] = seen
                news[n] = s
                lt = late[n]
                if s > lt:
                    delta += s - lt - (old - lt if old > lt else 0)
                    if s - lt > new_max:
                        new_max = s - lt
                    if delta + new_max - tard_max >= cutoff:
                        return None
            if kd:
                if kd == SIMULTANEOUS:
                    push = sp < s
                elif kd == SEQ_FIRST:
                    push = sp < s + c.gap_min[n]
                else:
                    push = sp < s - c.gap_max[n]
                if push:
                    if p in placed:
                        work.append(placed[p])
                    else:
                        pv, pk = vehicle[p], index[p]
                        ip = at.get(pv)
                        if ip is not None and ip <= pk:
                            pk += 1
                        work.append((pv, pk))
            t = s + dur[n]
    for v in touched:
        route = new_routes.get(v) or plan.routes[v]
        last = route[-1]
        if news.get(last, start[last]) + dur[last] + travel[loc[last]][c.v_end[v]] > c.shift_end[v]:
            return None
    delta += new_max - tard_max
    if plan.balance_factor:
        loads = [w + work_delta.get(v, 0) for v, w in enumerate(plan.work)]
        delta += plan.balance_factor * ((max(loads) - min(loads)) - plan.balance())
    return Move(j, inserts, news, delta)
