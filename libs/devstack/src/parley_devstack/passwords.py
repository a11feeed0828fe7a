"""Passwords for the local servers' users, made once and kept beside their data.

A server whose data is kept (``make run``) must find the same users on its next start,
so each password is read back from a file readable by its owner only, and only the
users missing from it get a new one.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from pathlib import Path


def kept_passwords(path: Path, users: Iterable[str]) -> dict[str, str]:
    """A password per user: the one in ``path`` if there is one, else a new URL-safe
    token (safe in URLs and in Kafka's comma-separated SCRAM options); ``path`` is
    rewritten when a user was added."""
    known: dict[str, str] = json.loads(path.read_text()) if path.is_file() else {}
    passwords = {user: known.get(user) or secrets.token_urlsafe(18) for user in users}
    if passwords != known:
        path.touch(mode=0o600)
        path.write_text(json.dumps(passwords, indent=1))
    return passwords
