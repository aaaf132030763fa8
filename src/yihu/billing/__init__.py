"""Billing: bills, payments through providers (a signed-notification sandbox here), refunds, the insurance split,
inpatient deposits and costs, reconciliation. Other domains import :mod:`yihu.billing.service` only."""
