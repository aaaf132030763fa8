"""Independent check of a plan: recomputes travel, tardiness and the objective from the stops as given and lists
every violated rule. Shares no code with the search."""

from __future__ import annotations

from .model import Problem, Solution, Stop


def evaluate(problem: Problem, routes: dict[str, list[Stop]], seconds: float = 0.0) -> Solution:
    """Objective and violations of `routes` (an empty `violations` list means feasible)."""
    jobs = {job.id: job for job in problem.jobs}
    caregivers = {cg.id: cg for cg in problem.caregivers}
    travel = problem.travel
    violations: list[str] = []
    served: dict[tuple[str, int], tuple[str, Stop]] = {}
    total_travel = tard_sum = tard_max = 0
    workloads = {cg.id: 0 for cg in problem.caregivers}
    for cid, stops in routes.items():
        cg = caregivers.get(cid)
        if cg is None:
            violations.append(f"unknown caregiver {cid}")
            continue
        if not stops:
            continue
        here = cg.start
        clock = cg.shift[0]
        for stop in stops:
            job = jobs.get(stop.job_id)
            if job is None or not 0 <= stop.task_index < len(job.tasks):
                violations.append(f"{cid}: unknown visit {stop.job_id}/{stop.task_index}")
                continue
            key = (stop.job_id, stop.task_index)
            if key in served:
                violations.append(f"{stop.job_id}/{stop.task_index} served twice")
            served[key] = (cid, stop)
            task = job.tasks[stop.task_index]
            if task.service not in cg.abilities:
                violations.append(f"{cid} lacks ability {task.service} for {stop.job_id}")
            if cid in job.incompatible:
                violations.append(f"{cid} is incompatible with {stop.job_id}")
            leg = travel[here][job.location]
            total_travel += leg
            workloads[cid] += leg + task.duration
            if stop.start < clock + leg:
                violations.append(f"{cid}: {stop.job_id} starts at {stop.start} before arrival {clock + leg}")
            if stop.start < job.window[0]:
                violations.append(f"{stop.job_id} starts at {stop.start} before its earliest {job.window[0]}")
            if stop.end != stop.start + task.duration:
                violations.append(f"{stop.job_id}/{stop.task_index}: end is not start + duration")
            tard = max(0, stop.start - job.window[1])
            tard_sum += tard
            tard_max = max(tard_max, tard)
            clock = stop.start + task.duration
            here = job.location
        leg = travel[here][cg.end]
        total_travel += leg
        workloads[cid] += leg
        if clock + leg > cg.shift[1]:
            violations.append(f"{cid} is back at {clock + leg}, after the shift end {cg.shift[1]}")
    unassigned = []
    for job in problem.jobs:
        got = [served.get((job.id, t)) for t in range(len(job.tasks))]
        if all(g is None for g in got):
            unassigned.append(job.id)
            continue
        if any(g is None for g in got):
            violations.append(f"{job.id} is only partly served")
            continue
        if len(got) == 2:
            (c0, s0), (c1, s1) = got  # type: ignore[misc]
            if c0 == c1:
                violations.append(f"{job.id} needs two different nurses")
            if job.sync == "simultaneous" and s0.start != s1.start:
                violations.append(f"{job.id}: simultaneous services start at {s0.start} and {s1.start}")
            if job.sync == "sequential" and not job.gap[0] <= s1.start - s0.start <= job.gap[1]:
                violations.append(f"{job.id}: gap {s1.start - s0.start} outside {job.gap}")
    objective = (total_travel + tard_sum + tard_max) / 3
    if problem.balance_weight and workloads:
        objective += problem.balance_weight * (max(workloads.values()) - min(workloads.values()))
    return Solution(routes=routes, unassigned=unassigned, travel=total_travel, total_tardiness=tard_sum,
                    max_tardiness=tard_max, objective=objective, seconds=seconds, violations=violations)
