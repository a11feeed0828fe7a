"""What of a caller's identity may appear in logs: the last 4 digits, a hashed call SID."""

from __future__ import annotations

import hashlib


def phone_tail(number: str) -> str:
    digits = "".join(c for c in number if c.isdigit())
    return f"…{digits[-4:]}" if digits else ""


def hashed_sid(call_sid: str) -> str:
    return hashlib.sha256(call_sid.encode()).hexdigest()[:12]
