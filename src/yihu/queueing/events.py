"""Queue events: a full, name-masked picture of the queue after each change, numbered per queue and stored.

A watcher gets the picture of its queue with every event, so a missed event is never needed to draw the page;
the stored events serve the replay after ``Last-Event-ID`` on any worker. The resident's own view (position,
estimated wait, the "N ahead" notice) is derived from the picture.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from yihu.queueing import queues
from yihu.queueing.config import queue_settings
from yihu.queueing.models import Queue, QueueEntry, QueueEvent

EVENT_KINDS = ("checked_in", "walked_in", "called", "recalled", "passed", "finished", "snapshot")


def average_service_seconds(q: Queue) -> int:
    if q.served > 0:
        return max(1, q.service_seconds // q.served)
    return queue_settings().default_service_minutes * 60


def _entry(e: QueueEntry) -> dict[str, Any]:
    return {"entry": e.id, "number": e.number, "name": e.masked_name, "elderly": e.elderly}


async def picture(session: AsyncSession, q: Queue, *, seq: int, kind: str, number: int | None,
                  now: datetime, waiting: list[QueueEntry] | None = None) -> dict[str, Any]:
    if waiting is None:
        waiting = await queues.waiting(session, q.id)
    current = await queues.get_entry(session, q.current_entry_id) if q.current_entry_id else None
    return {
        "queue_id": q.id, "seq": seq, "type": kind, "number": number, "at": now.isoformat(), "name": q.name,
        "department_id": q.department_id,
        "calling": {**_entry(current), "calls": current.calls} if current else None,
        "waiting": [_entry(e) for e in waiting],
        "avg_seconds": average_service_seconds(q), "served": q.served,
    }


async def record(session: AsyncSession, q: Queue, *, seq: int, kind: str, number: int | None,
                 now: datetime, waiting: list[QueueEntry] | None = None) -> dict[str, Any]:
    """Store the event of a change (inside the change's transaction) and return its payload (compact JSON: it is
    written to every watcher of the queue)."""
    data = await picture(session, q, seq=seq, kind=kind, number=number, now=now, waiting=waiting)
    session.add(QueueEvent(queue_id=q.id, seq=seq, kind=kind,
                           payload=json.dumps(data, ensure_ascii=False, separators=(",", ":")), created_at=now))
    await session.flush()
    return data


@dataclass(frozen=True)
class EntryView:
    entry_id: str
    number: int
    status: str  # waiting | called | done
    position: int  # 1 = next; 0 when not waiting
    ahead: int
    estimated_wait_minutes: int
    calling_number: int | None
    near: bool
    queue_name: str

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def entry_view(data: dict[str, Any], entry_id: str, number: int, *, gone_status: str = "done") -> EntryView:
    """Where one entry stands in a queue picture."""
    calling = data.get("calling")
    calling_number = calling["number"] if calling else None
    base = {"entry_id": entry_id, "number": number, "calling_number": calling_number, "queue_name": data["name"]}
    if calling and calling["entry"] == entry_id:
        return EntryView(status="called", position=0, ahead=0, estimated_wait_minutes=0, near=True, **base)
    for i, e in enumerate(data["waiting"]):
        if e["entry"] == entry_id:
            busy = 1 if calling else 0
            wait = (i + busy) * int(data["avg_seconds"])
            return EntryView(status="waiting", position=i + 1, ahead=i, estimated_wait_minutes=-(-wait // 60),
                             near=i <= queue_settings().notify_ahead, **base)
    return EntryView(status=gone_status, position=0, ahead=0, estimated_wait_minutes=0, near=False, **base)


def screen_part(data: dict[str, Any]) -> dict[str, Any]:
    """What a waiting-room screen shows of a queue: the number being called and the next few, names masked."""
    n = queue_settings().screen_next
    return {"queue_id": data["queue_id"], "name": data["name"], "seq": data["seq"], "type": data["type"],
            "calling": ({"number": data["calling"]["number"], "name": data["calling"]["name"]}
                        if data["calling"] else None),
            "next": [{"number": e["number"], "name": e["name"]} for e in data["waiting"][:n]],
            "waiting": len(data["waiting"])}
