"""Salted scrypt hashes, stored with their parameters so they can be raised later."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

MIN_LENGTH = 8
_N, _R, _P, _DKLEN = 2**14, 8, 1, 32
# Checked in place of an unknown or disabled operator's record, with the same parameters, so
# that a name that cannot log in costs the same scrypt as one that can: no names by timing.
DUMMY_RECORD: dict[str, Any] = {"algo": "scrypt", "n": _N, "r": _R, "p": _P, "salt": "00" * 16, "hash": "00" * _DKLEN}


def _encode(password: str) -> bytes:
    """Bytes that were not UTF-8 arrive as lone surrogates (a lenient stdin); they must not
    crash a check. `check_password` refuses them before any such password is stored."""
    return password.encode("utf-8", errors="surrogatepass")


def hash_password(password: str) -> dict[str, Any]:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(_encode(password), salt=salt, n=_N, r=_R, p=_P, dklen=_DKLEN)
    return {"algo": "scrypt", "n": _N, "r": _R, "p": _P, "salt": salt.hex(), "hash": digest.hex()}


def verify_password(password: str, stored: dict[str, Any]) -> bool:
    if stored.get("algo") != "scrypt":
        return False
    expected = bytes.fromhex(stored["hash"])
    digest = hashlib.scrypt(
        _encode(password),
        salt=bytes.fromhex(stored["salt"]),
        n=stored["n"],
        r=stored["r"],
        p=stored["p"],
        dklen=len(expected),
        maxmem=128 * stored["n"] * stored["r"] * 2,
    )
    return hmac.compare_digest(digest, expected)
