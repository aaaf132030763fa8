"""Field encryption (AES-GCM bound to table, column and row), blind indexes and masking.

Stored form of an encrypted field: one byte key version, 12 bytes nonce, then ciphertext and tag.
The associated data is ``table.column.row_id`` so a value copied to another row or column fails to decrypt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class CryptoError(Exception):
    pass


def _decode_key(raw: str) -> bytes:
    key = base64.b64decode(raw)
    if len(key) != 32:
        raise CryptoError("each data key must be 32 bytes, base64-encoded")
    return key


@dataclass
class FieldCipher:
    keys: dict[int, bytes]

    @classmethod
    def from_setting(cls, setting: str) -> FieldCipher:
        keys: dict[int, bytes] = {}
        for item in setting.split(","):
            item = item.strip()
            if not item:
                continue
            version, _, raw = item.partition(":")
            v = int(version)
            if not 1 <= v <= 255:
                raise CryptoError("key versions run from 1 to 255")
            keys[v] = _decode_key(raw)
        if not keys:
            raise CryptoError("no data key configured")
        return cls(keys)

    @property
    def current_version(self) -> int:
        return max(self.keys)

    @staticmethod
    def _aad(table: str, column: str, row_id: str) -> bytes:
        return f"{table}.{column}.{row_id}".encode()

    def encrypt(self, plaintext: str, *, table: str, column: str, row_id: str) -> bytes:
        version = self.current_version
        nonce = os.urandom(12)
        ct = AESGCM(self.keys[version]).encrypt(nonce, plaintext.encode(), self._aad(table, column, row_id))
        return bytes([version]) + nonce + ct

    def decrypt(self, blob: bytes, *, table: str, column: str, row_id: str) -> str:
        if len(blob) < 13 + 16:
            raise CryptoError("ciphertext too short")
        version = blob[0]
        key = self.keys.get(version)
        if key is None:
            raise CryptoError(f"unknown key version {version}")
        try:
            pt = AESGCM(key).decrypt(blob[1:13], blob[13:], self._aad(table, column, row_id))
        except Exception as exc:  # InvalidTag
            raise CryptoError("ciphertext does not match its row") from exc
        return pt.decode()

    @staticmethod
    def key_version(blob: bytes) -> int:
        return blob[0]


@dataclass
class BlindIndex:
    key: bytes

    @classmethod
    def from_setting(cls, raw: str) -> BlindIndex:
        return cls(base64.b64decode(raw))

    def __call__(self, kind: str, value: str) -> str:
        """A keyed, deterministic digest of a normalised value, for equality look-ups only."""
        return hmac.new(self.key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def mask_id_number(value: str) -> str:
    """``320102199001011234`` → ``3201**********1234``."""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """``13812345678`` → ``138****5678``."""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """``张三明`` → ``张*明``; ``张三`` → ``张*``."""
    if len(value) <= 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


def mask_card_number(value: str) -> str:
    if len(value) <= 4:
        return value
    return "*" * (len(value) - 4) + value[-4:]
