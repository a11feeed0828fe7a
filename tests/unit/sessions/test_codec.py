"""Sealing session records: authenticated, rotatable, refusing what it cannot open."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from parley_sessions import Session, SessionCodec, SessionDecryptError, Turn, parse_keys


def _session() -> Session:
    turn = Turn(turn_id=1, user_utterance="my card ends 4242", agent_response="thanks")
    return Session(call_sid="CA1", turns=[turn])


def test_sealed_record_hides_the_conversation_and_opens_again() -> None:
    codec = SessionCodec([Fernet.generate_key().decode()])
    sealed = codec.encode(_session())
    assert b"4242" not in sealed and b"CA1" not in sealed
    assert codec.decode(sealed).turns[0].user_utterance == "my card ends 4242"


def test_rotation_opens_old_records_and_seals_with_the_newest_key() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    sealed_old = SessionCodec([old]).encode(_session())
    rotated = SessionCodec([new, old])
    assert rotated.decode(sealed_old).call_sid == "CA1"
    assert SessionCodec([new]).decode(rotated.encode(_session())).call_sid == "CA1"


def test_tampered_or_foreign_records_are_refused_with_the_remedy() -> None:
    codec = SessionCodec([Fernet.generate_key().decode()])
    sealed = bytearray(codec.encode(_session()))
    sealed[40] ^= 1
    with pytest.raises(SessionDecryptError, match="PARLEY_SESSIONS_ENCRYPTION_KEYS"):
        codec.decode(bytes(sealed))
    with pytest.raises(SessionDecryptError, match="no key is configured"):
        SessionCodec().decode(codec.encode(_session()))


def test_without_keys_records_are_plain_json_and_still_readable_after_keys_arrive() -> None:
    plain = SessionCodec().encode(_session())
    assert plain.startswith(b"{")
    assert SessionCodec([Fernet.generate_key().decode()]).decode(plain).call_sid == "CA1"


def test_bad_keys_are_refused_and_key_lists_parsed() -> None:
    with pytest.raises(ValueError, match="not a valid Fernet key"):
        SessionCodec(["not-a-key"])
    assert parse_keys(" a, ,b ") == ["a", "b"]
