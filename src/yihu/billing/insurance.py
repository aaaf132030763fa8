"""The insurance split of an insurance-card payment: integer fen, the patient's part is what is left."""

from __future__ import annotations

from dataclasses import dataclass

from yihu.billing import errors
from yihu.billing.settings import billing_settings
from yihu.errors import DomainError


@dataclass(frozen=True)
class Split:
    insurance_fen: int
    self_fen: int


def split(kind: str, amount_fen: int) -> Split:
    """Insurance pays ``ratio`` of the part above the deductible (floored to the fen, capped); the rest is self-pay."""
    rule = billing_settings().insurance_policy.get(kind)
    if rule is None:
        raise DomainError(errors.INSURANCE_NOT_COVERED)
    covered = max(0, amount_fen - rule.deductible_fen) * rule.ratio_bp // 10_000
    if rule.cap_fen is not None:
        covered = min(covered, rule.cap_fen)
    return Split(insurance_fen=covered, self_fen=amount_fen - covered)


def refund_share(amount_fen: int, insurance_fen: int, refund_fen: int) -> int:
    """The insurance part of a refund, in proportion to the payment's split (floored)."""
    return refund_fen * insurance_fen // amount_fen
