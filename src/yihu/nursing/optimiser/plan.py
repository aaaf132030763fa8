"""A plan under construction: routes, their exact earliest schedule, totals, and the cheapest insertion of a job
(each candidate slot timed exactly by insertion.simulate)."""

from __future__ import annotations

import math
import random

from .compiled import PREFERENCE_PENALTY, SEQ_FIRST, SIMULTANEOUS, Compiled
from .insertion import Move, simulate

UNASSIGNED_PENALTY = 1e12  # per job left out: serving one more visit outweighs any cost
PAIR_SLOTS = 12  # cheapest slots per task combined for a two-nurse visit (all of them if none of these fits)
BLINK = 0.02  # chance that repair overlooks a slot: diversification
FEASIBILITY_TRIES = 200  # insertions timed at most while looking for a first feasible one

Slot = tuple[float, int, int, int, int]  # (lower bound of the cost increase, vehicle, position, start, travel)


class Plan:
    def __init__(self, c: Compiled) -> None:
        self.c = c
        self.routes: list[list[int]] = [[] for _ in range(c.n_vehicles)]
        self.vehicle = [-1] * c.n_nodes
        self.index = [0] * c.n_nodes
        self.start = [0] * c.n_nodes
        self.unassigned: set[int] = set(range(len(c.job_nodes)))
        self.travel_total = 0
        self.tard_sum = 0
        self.tard_max = 0
        self.nonpref = 0
        self.work = [0] * c.n_vehicles
        self.balance_factor = 3.0 * c.problem.balance_weight

    def copy(self) -> Plan:
        other = Plan.__new__(Plan)
        other.__dict__.update(self.__dict__)
        other.routes = [list(r) for r in self.routes]
        other.vehicle = list(self.vehicle)
        other.index = list(self.index)
        other.start = list(self.start)
        other.unassigned = set(self.unassigned)
        other.work = list(self.work)
        return other

    def balance(self) -> int:
        return max(self.work) - min(self.work) if self.work else 0

    def cost(self) -> float:
        """Three times the objective, plus the soft preference and unassigned penalties."""
        value = float(self.travel_total + self.tard_sum + self.tard_max)
        if self.balance_factor:
            value += self.balance_factor * self.balance()
        return value + PREFERENCE_PENALTY * self.nonpref + UNASSIGNED_PENALTY * len(self.unassigned)

    # ---- full recomputation -------------------------------------------------------------------------------

    def refresh(self) -> bool:
        """Recompute the schedule and every total from the routes; False if the routes cannot be timed."""
        c = self.c
        start = c.schedule(self.routes)
        if start is None:
            return False
        self.start = start
        travel, loc, dur, late = c.travel, c.loc, c.dur, c.late
        self.travel_total = self.tard_sum = self.tard_max = self.nonpref = 0
        for v, route in enumerate(self.routes):
            prev = c.v_start[v]
            work = 0
            for k, n in enumerate(route):
                self.vehicle[n] = v
                self.index[n] = k
                work += travel[prev][loc[n]] + dur[n]
                prev = loc[n]
                tard = start[n] - late[n]
                if tard > 0:
                    self.tard_sum += tard
                    if tard > self.tard_max:
                        self.tard_max = tard
                pref = c.preferred[n]
                if pref and v not in pref:
                    self.nonpref += 1
            if route:
                work += travel[prev][c.v_end[v]]
            self.work[v] = work
            self.travel_total += work - sum(dur[n] for n in route)
        return True

    def remove_jobs(self, jobs: list[int]) -> None:
        """Take jobs off their routes (call refresh() afterwards)."""
        touched = set()
        for j in jobs:
            for n in self.c.job_nodes[j]:
                v = self.vehicle[n]
                if v >= 0:
                    self.routes[v].remove(n)
                    self.vehicle[n] = -1
                    touched.add(v)
            self.unassigned.add(j)

    # ---- insertion -----------------------------------------------------------------------------------------

    def candidates(self, n: int) -> list[Slot]:
        """(lower bound on the cost increase, vehicle, position, earliest start, travel increase) per slot."""
        c = self.c
        travel, loc, dur, start = c.travel, c.loc, c.dur, self.start
        x = loc[n]
        early, late, d = c.early[n], c.late[n], dur[n]
        pref = c.preferred[n]
        out = []
        for v in c.eligible[n]:
            route = self.routes[v]
            t = c.shift_begin[v]
            prev = c.v_start[v]
            end_loc = c.v_end[v]
            limit = c.shift_end[v]
            size = len(route)
            for i in range(size + 1):
                nxt = loc[route[i]] if i < size else end_loc
                s = t + travel[prev][x]
                if s < early:
                    s = early
                if s + d + travel[x][end_loc] > limit:
                    break
                dt = travel[prev][x] + travel[x][nxt] - travel[prev][nxt]
                tard = s - late
                bound = float(dt + (tard if tard > 0 else 0))
                if pref and v not in pref:
                    bound += PREFERENCE_PENALTY
                out.append((bound, v, i, s, dt))
                if i < size:
                    m = route[i]
                    t = start[m] + dur[m]
                    prev = loc[m]
        return out

    def best_move(self, j: int, max_sims: int = 40, rng: random.Random | None = None) -> Move | None:
        """The cheapest insertion of job j found, or None; once one is found, at most max_sims are timed."""
        c = self.c
        if not c.possible[j]:
            return None
        nodes = c.job_nodes[j]
        if len(nodes) == 1:
            n = nodes[0]
            options = [(bound, [(v, i, n)]) for bound, v, i, _s, _dt in sorted(self.candidates(n))]
            return self._pick(j, options, max_sims, rng)
        a, b = nodes
        all_a = sorted(self.candidates(a))
        all_b = sorted(self.candidates(b))
        best = self._pick(j, self._pairs(a, b, all_a[:PAIR_SLOTS], all_b[:PAIR_SLOTS]), max_sims, rng)
        if best is None and (len(all_a) > PAIR_SLOTS or len(all_b) > PAIR_SLOTS):
            best = self._pick(j, self._pairs(a, b, all_a, all_b), max_sims)
        return best

    def _pick(self, j: int, options: list[tuple[float, list[tuple[int, int, int]]]], max_sims: int,
              rng: random.Random | None = None) -> Move | None:
        """The cheapest of the options; with rng, each is skipped with a small probability (a "blink")."""
        best: Move | None = None
        tried = 0
        for bound, inserts in options:
            if rng is not None and rng.random() < BLINK:
                continue
            if best is not None and (bound >= best.delta or tried >= max_sims):
                break
            if tried >= FEASIBILITY_TRIES:
                break
            tried += 1
            move = simulate(self, j, inserts, math.inf if best is None else best.delta)
            if move is not None and (best is None or move.delta < best.delta):
                best = move
        return best

    def _pairs(self, a: int, b: int, ca: list[Slot], cb: list[Slot]) -> list[tuple[float, list[tuple[int, int, int]]]]:
        """Slot pairs on two different nurses, by a lower bound of their cost (travel and own tardiness)."""
        c = self.c
        kind = c.kind[a]
        gmin, gmax = c.gap_min[a], c.gap_max[a]
        early, late = c.early[a], c.late[a]
        combos = []
        for bound_a, va, ia, sa, _dta in ca:
            base_a = bound_a - max(0, sa - late)
            for bound_b, vb, ib, sb, _dtb in cb:
                if va == vb:
                    continue
                if kind == SIMULTANEOUS:
                    s = sa if sa > sb else sb
                    tard = 2 * max(0, s - late)
                elif kind == SEQ_FIRST:
                    s0 = max(sa, sb - gmax, early)
                    s1 = max(sb, s0 + gmin)
                    tard = max(0, s0 - late) + max(0, s1 - late)
                else:
                    tard = max(0, sa - late) + max(0, sb - late)
                combos.append((base_a + bound_b - max(0, sb - late) + tard, va, ia, vb, ib))
        combos.sort()
        return [(bound, [(va, ia, a), (vb, ib, b)]) for bound, va, ia, vb, ib in combos]

    def apply(self, move: Move) -> None:
        c = self.c
        travel, loc, late = c.travel, c.loc, c.late
        for v, i, n in move.inserts:
            route = self.routes[v]
            prev_loc = loc[route[i - 1]] if i > 0 else c.v_start[v]
            next_loc = loc[route[i]] if i < len(route) else c.v_end[v]
            x = loc[n]
            if route:
                dt = travel[prev_loc][x] + travel[x][next_loc] - travel[prev_loc][next_loc]
            else:
                dt = travel[c.v_start[v]][x] + travel[x][c.v_end[v]]
            route.insert(i, n)
            self.vehicle[n] = v
            for k in range(i, len(route)):
                self.index[route[k]] = k
            self.travel_total += dt
            self.work[v] += dt + c.dur[n]
            pref = c.preferred[n]
            if pref and v not in pref:
                self.nonpref += 1
            self.start[n] = c.early[n]
            self.tard_sum += max(0, c.early[n] - late[n])  # cancelled below, where it counts as old
        for n, s in move.starts.items():
            old = max(0, self.start[n] - late[n])
            self.start[n] = s
            tard = s - late[n]
            if tard > 0:
                self.tard_sum += tard - old
                if tard > self.tard_max:
                    self.tard_max = tard
            else:
                self.tard_sum -= old
        self.unassigned.discard(move.job)
