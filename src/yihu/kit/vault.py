"""The process's field cipher and blind index, built once from the settings."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from yihu.config import get_settings
from yihu.kit.crypto import BlindIndex, FieldCipher


@dataclass(frozen=True)
class Vault:
    cipher: FieldCipher
    index: BlindIndex

    def seal(self, value: str, table: str, column: str, row_id: str) -> bytes:
        return self.cipher.encrypt(value, table=table, column=column, row_id=row_id)

    def open(self, blob: bytes, table: str, column: str, row_id: str) -> str:
        return self.cipher.decrypt(blob, table=table, column=column, row_id=row_id)


@lru_cache
def vault() -> Vault:
    s = get_settings()
    return Vault(FieldCipher.from_setting(s.data_keys), BlindIndex.from_setting(s.blind_index_key))
