"""The dispatch problem and its solution, as plain frozen data (no database, no web)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

NO_SHIFT_END = 10**9


@dataclass(frozen=True)
class Caregiver:
    id: str
    abilities: frozenset[str]  # service codes the nurse may perform
    start: int  # index into the travel matrix where the day starts
    end: int  # index where it ends (often == start)
    shift: tuple[int, int] = (0, NO_SHIFT_END)  # may leave start at shift[0], must be back by shift[1]


@dataclass(frozen=True)
class Task:
    service: str
    duration: int  # minutes


@dataclass(frozen=True)
class Job:
    id: str
    location: int  # index into the travel matrix
    window: tuple[int, int]  # start window: earliest hard, latest soft (tardiness)
    tasks: tuple[Task, ...]  # one, or two for a two-nurse visit (two different nurses)
    sync: str | None = None  # None | "simultaneous" | "sequential"
    gap: tuple[int, int] = (0, 0)  # sequential: start(tasks[1]) - start(tasks[0]) in [gap[0], gap[1]]
    incompatible: frozenset[str] = frozenset()  # caregiver ids that may not serve it
    preferred: frozenset[str] = frozenset()  # caregiver ids preferred (continuity of care); a soft bonus


@dataclass(frozen=True)
class Problem:
    caregivers: tuple[Caregiver, ...]
    jobs: tuple[Job, ...]
    travel: Sequence[Sequence[int]]  # minutes, square matrix
    balance_weight: float = 0.0  # > 0 adds balance_weight * (max - min working minutes) to the objective


@dataclass(frozen=True)
class Stop:
    job_id: str
    task_index: int
    start: int  # service start (minutes)
    end: int  # start + duration


@dataclass
class Solution:
    routes: dict[str, list[Stop]]  # caregiver id -> stops in visiting order
    unassigned: list[str]  # job ids that could not be placed feasibly
    travel: int
    total_tardiness: int
    max_tardiness: int
    objective: float  # (travel + total_tardiness + max_tardiness) / 3 (+ balance term if weighted)
    seconds: float
    violations: list[str] = field(default_factory=list)  # filled by evaluate(); empty when feasible
