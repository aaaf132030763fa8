"""Large-neighbourhood search over whole visits: remove some (random, related, costly, or whole routes), put
them back at their cheapest exact insertion, accept by simulated annealing. A two-nurse visit always moves as
one, so its two stops stay synchronised on two different nurses."""

from __future__ import annotations

import math
import random
import time

from .compiled import Compiled
from .plan import UNASSIGNED_PENALTY, Plan


def repair(plan: Plan, jobs: list[int], rng: random.Random, deadline: float = math.inf) -> None:
    c = plan.c
    mode = rng.random()
    if mode < 0.3:
        rng.shuffle(jobs)
    elif mode < 0.5:
        jobs.sort(key=lambda j: (-len(c.job_nodes[j]), rng.random()))
    elif mode < 0.7:
        jobs.sort(key=lambda j: c.early[c.job_nodes[j][0]] + rng.random())
    else:
        jobs.sort(key=lambda j: -c.remoteness[j] - rng.random())
    for k, j in enumerate(jobs):
        if k % 8 == 7 and time.monotonic() > deadline:
            return  # out of time: the plan keeps the rest unassigned
        move = plan.best_move(j, rng=rng)
        if move is not None:
            plan.apply(move)


def _random(plan: Plan, q: int, rng: random.Random) -> list[int]:
    assigned = [j for j in range(len(plan.c.job_nodes)) if j not in plan.unassigned]
    return rng.sample(assigned, min(q, len(assigned)))


def _related(plan: Plan, q: int, rng: random.Random) -> list[int]:
    c = plan.c
    assigned = [j for j in range(len(c.job_nodes)) if j not in plan.unassigned]
    if not assigned:
        return []
    seed = rng.choice(assigned)
    sn = c.job_nodes[seed][0]
    row = c.travel[c.loc[sn]]
    start = plan.start
    assigned.sort(key=lambda j: row[c.loc[c.job_nodes[j][0]]] + 0.5 * abs(start[c.job_nodes[j][0]] - start[sn]))
    chosen: list[int] = []
    pool = assigned
    while pool and len(chosen) < q:
        k = int(len(pool) * rng.random() ** 4)
        chosen.append(pool.pop(k))
    return chosen


def _costly(plan: Plan, q: int, rng: random.Random) -> list[int]:
    c = plan.c
    travel, loc = c.travel, c.loc
    score: dict[int, float] = {}
    for v, route in enumerate(plan.routes):
        for k, n in enumerate(route):
            prev = loc[route[k - 1]] if k > 0 else c.v_start[v]
            nxt = loc[route[k + 1]] if k + 1 < len(route) else c.v_end[v]
            gain = travel[prev][loc[n]] + travel[loc[n]][nxt] - travel[prev][nxt]
            gain += max(0, plan.start[n] - c.late[n])
            j = c.node_job[n]
            score[j] = score.get(j, 0.0) + gain
    pool = sorted(score, key=lambda j: -score[j])
    chosen: list[int] = []
    while pool and len(chosen) < q:
        k = int(len(pool) * rng.random() ** 4)
        chosen.append(pool.pop(k))
    return chosen


def _routes(plan: Plan, q: int, rng: random.Random) -> list[int]:
    c = plan.c
    order = [v for v in range(c.n_vehicles) if plan.routes[v]]
    rng.shuffle(order)
    chosen: list[int] = []
    seen: set[int] = set()
    for v in order:
        for n in plan.routes[v]:
            j = c.node_job[n]
            if j not in seen:
                seen.add(j)
                chosen.append(j)
        if len(chosen) >= q:
            break
    return chosen


DESTROYERS = (_random, _related, _costly, _routes)
START_TEMPERATURE = 0.01  # of the first plan's cost; cools linearly to 0 at the time limit
MAX_REMOVED = 40  # visits removed at most per step (and at most a third of them)


def search(c: Compiled, time_limit: float, seed: int) -> Plan:
    rng = random.Random(seed)  # noqa: S311 - search randomness, not security
    began = time.monotonic()
    deadline = began + 0.98 * time_limit - 0.05  # the last step and the final check fit in the limit
    plan = Plan(c)
    n_jobs = len(c.job_nodes)
    repair(plan, list(range(n_jobs)), rng)
    best = plan.copy()
    if n_jobs == 0:
        return best
    current = plan
    q_max = max(2, min(MAX_REMOVED, n_jobs // 3))
    base = max(1.0, current.cost() - UNASSIGNED_PENALTY * len(current.unassigned))
    t0 = START_TEMPERATURE * base
    weights = [1.0] * len(DESTROYERS)
    while True:
        now = time.monotonic()
        if now >= deadline:
            break
        temperature = t0 * (1.0 - (now - began) / time_limit)
        op = rng.choices(range(len(DESTROYERS)), weights)[0]
        q = rng.randint(min(2, n_jobs), q_max)
        candidate = current.copy()
        removed = DESTROYERS[op](candidate, q, rng)
        candidate.remove_jobs(removed)
        if not candidate.refresh():
            continue
        repair(candidate, list(candidate.unassigned), rng, deadline)
        diff = candidate.cost() - current.cost()
        if diff < 0 or (temperature > 0 and rng.random() < math.exp(-diff / temperature)):
            current = candidate
            if candidate.cost() < best.cost() - 1e-9:
                best = candidate.copy()
                weights[op] += 1.0
    return best
