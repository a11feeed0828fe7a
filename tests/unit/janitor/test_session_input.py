"""Validation of the session API's inputs: clear messages naming what to fix."""

from __future__ import annotations

import pytest
from parley_janitor.session_service import (
    InvalidRequestError,
    hashed_call_sid,
    parse_create,
    parse_session_id,
    parse_updates,
)


def test_immutable_fields_are_refused_by_name() -> None:
    with pytest.raises(InvalidRequestError, match="callSid, createdAt, sessionId cannot"):
        parse_updates({"sessionId": "x", "callSid": "y", "createdAt": "z"})
    with pytest.raises(InvalidRequestError, match=r"session\.close"):
        parse_updates({"status": "closed"})


def test_updates_accept_the_mutable_fields_and_reject_unknown_ones() -> None:
    updates = parse_updates(
        {
            "ttl": 60,
            "metadata": {"a": 1},
            "turns": [{"turnId": 1, "userUtterance": "hi", "agentResponse": "hello"}],
        }
    )
    assert updates.ttl == 60 and updates.turns is not None and updates.turns[0].turn_id == 1
    with pytest.raises(InvalidRequestError, match="colour"):
        parse_updates({"colour": "red"})
    with pytest.raises(InvalidRequestError, match="ttl"):
        parse_updates({"ttl": 0})


def test_create_requires_a_call_sid_and_a_positive_ttl() -> None:
    assert parse_create({"callSid": "CA1"}).config.ttl is None
    with pytest.raises(InvalidRequestError, match="callSid") as caught:
        parse_create({"config": {"ttl": -5}})
    assert "config.ttl" in str(caught.value)


def test_session_ids_must_be_uuids() -> None:
    assert parse_session_id("6F9619FF-8B86-D011-B42D-00C04FC964FF").startswith("6f9619ff")
    with pytest.raises(InvalidRequestError, match="not a UUID"):
        parse_session_id("abc")


def test_call_sids_are_hashed_stably() -> None:
    assert hashed_call_sid("CA1") == hashed_call_sid("CA1") != hashed_call_sid("CA2")
    assert "CA1" not in hashed_call_sid("CA1")
