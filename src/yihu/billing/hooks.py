"""Other domains learn that a bill was paid: listeners by bill kind, run inside the notification's transaction.

A listener is ``async (session, bill) -> None``; it runs once per bill, right after the bill's conditional change
from unpaid to paid (a duplicate or replayed notification never reaches it), in the same transaction: if it fails,
the notification is refused and nothing is recorded, so the provider's retry applies both again.

Listeners register with :func:`on_bill_paid` when their module is imported. Whatever a process imported at start-up
(the API, the CLI's sandbox delivery, a worker), the modules in ``LISTENER_MODULES`` are imported before the first
dispatch, so no process can apply a payment without its listeners.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from yihu.billing.models import Bill

BillPaidListener = Callable[[AsyncSession, Bill], Awaitable[None]]

# bill kind -> the module that registers its listener (imported on first dispatch)
LISTENER_MODULES: dict[str, str] = {"nursing": "yihu.nursing.payment"}
_listeners: dict[str, list[BillPaidListener]] = {}


def on_bill_paid(kind: str) -> Callable[[BillPaidListener], BillPaidListener]:
    """Decorator: call the function whenever a bill of ``kind`` becomes paid (registered once per function)."""

    def register(fn: BillPaidListener) -> BillPaidListener:
        found = _listeners.setdefault(kind, [])
        key = (fn.__module__, fn.__qualname__)
        found[:] = [f for f in found if (f.__module__, f.__qualname__) != key]
        found.append(fn)
        return fn

    return register


def listeners(kind: str) -> list[BillPaidListener]:
    module = LISTENER_MODULES.get(kind)
    if module is not None:
        importlib.import_module(module)
    return list(_listeners.get(kind, ()))


async def bill_paid(session: AsyncSession, bill_id: str) -> None:
    """Run the listeners of the bill's kind (called by ``notifications`` once the bill is paid)."""
    bill = await session.get(Bill, bill_id, populate_existing=True)
    if bill is None:
        return
    for fn in listeners(bill.kind):
        await fn(session, bill)
