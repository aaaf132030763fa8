"""Reconciliation (对账): our settled payments and refunds of a local day against the provider's statement."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from yihu.billing.models import Payment, Refund
from yihu.billing.providers import provider
from yihu.kit import clock


@dataclass(frozen=True)
class Mismatch:
    kind: str  # missing_ours | missing_provider | amount
    record: str  # payment | refund
    provider_id: str
    ours_fen: int | None
    theirs_fen: int | None


@dataclass
class Report:
    day: date
    provider: str
    ours: int = 0
    theirs: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches


async def reconcile(session: AsyncSession, day: date, provider_name: str = "sandbox") -> Report:
    start = clock.at_local(day, time(0, 0))
    end = clock.at_local(day + timedelta(days=1), time(0, 0))
    ours: dict[tuple[str, str], int] = {}
    for pid, amount in (await session.execute(select(Payment.provider_payment_id, Payment.amount_fen).where(
            Payment.provider == provider_name, Payment.status == "paid", Payment.paid_at >= start,
            Payment.paid_at < end))).tuples():
        ours[("payment", pid)] = amount
    for rid, amount in (await session.execute(select(Refund.provider_refund_id, Refund.amount_fen)
                                              .join(Payment, Payment.id == Refund.payment_id).where(
            Payment.provider == provider_name, Refund.status == "succeeded", Refund.succeeded_at >= start,
            Refund.succeeded_at < end))).tuples():
        ours[("refund", rid or "")] = amount
    theirs = {(line.kind, line.provider_id): line.amount_fen
              for line in await provider(provider_name).statement(session, start, end)}
    report = Report(day=day, provider=provider_name, ours=len(ours), theirs=len(theirs))
    for key in sorted(ours.keys() | theirs.keys()):
        a, b = ours.get(key), theirs.get(key)
        if a is None:
            report.mismatches.append(Mismatch("missing_ours", key[0], key[1], None, b))
        elif b is None:
            report.mismatches.append(Mismatch("missing_provider", key[0], key[1], a, None))
        elif a != b:
            report.mismatches.append(Mismatch("amount", key[0], key[1], a, b))
    return report
