from __future__ import annotations

import base64
import os

import pytest

from yihu.kit.crypto import (
    BlindIndex,
    CryptoError,
    FieldCipher,
    mask_card_number,
    mask_id_number,
    mask_name,
    mask_phone,
)


def key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def test_round_trip_and_binding_to_table_column_row():
    c = FieldCipher.from_setting(f"1:{key()}")
    blob = c.encrypt("330411198506151234", table="patient", column="id_number", row_id="r1")
    assert b"330411" not in blob and blob[0] == 1
    assert c.decrypt(blob, table="patient", column="id_number", row_id="r1") == "330411198506151234"
    for where in ({"table": "account", "column": "id_number", "row_id": "r1"},
                  {"table": "patient", "column": "phone", "row_id": "r1"},
                  {"table": "patient", "column": "id_number", "row_id": "r2"}):
        with pytest.raises(CryptoError):
            c.decrypt(blob, **where)
    assert c.encrypt("x", table="t", column="c", row_id="r") != c.encrypt("x", table="t", column="c", row_id="r")


def test_rotation_old_versions_still_decrypt_new_values_use_the_newest():
    k1, k2 = key(), key()
    old = FieldCipher.from_setting(f"1:{k1}")
    blob = old.encrypt("13812345678", table="t", column="c", row_id="r")
    rotated = FieldCipher.from_setting(f"1:{k1},2:{k2}")
    assert rotated.decrypt(blob, table="t", column="c", row_id="r") == "13812345678"
    fresh = rotated.encrypt("13812345678", table="t", column="c", row_id="r")
    assert FieldCipher.key_version(fresh) == 2
    with pytest.raises(CryptoError):
        FieldCipher.from_setting(f"2:{k2}").decrypt(blob, table="t", column="c", row_id="r")


def test_bad_keys_are_refused():
    with pytest.raises(CryptoError):
        FieldCipher.from_setting("1:" + base64.b64encode(b"short").decode())
    with pytest.raises(CryptoError):
        FieldCipher.from_setting("")


def test_blind_index_is_keyed_and_kind_separated():
    a, b = BlindIndex(b"k1" * 16), BlindIndex(b"k2" * 16)
    assert a("phone", "13812345678") == a("phone", "13812345678")
    assert a("phone", "13812345678") != b("phone", "13812345678")
    assert a("phone", "13812345678") != a("id_number", "13812345678")


def test_masks():
    assert mask_id_number("32010219900101123X") == "3201**********123X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_name("张三明") == "张*明" and mask_name("张三") == "张*" and mask_name("欧阳春晓") == "欧**晓"
    assert mask_card_number("INS1234567890") == "*********7890"
