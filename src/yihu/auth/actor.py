from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """Who is calling: decided once per request from the access token."""

    account_id: str
    role: str
    institution_id: str | None = None
    practitioner_id: str | None = None
    patient_id: str | None = None

    @property
    def is_staff(self) -> bool:
        return self.role in ("doctor", "nurse", "pharmacist", "institution_admin")
