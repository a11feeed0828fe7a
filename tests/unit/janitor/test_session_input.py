"""Validation of the session API's inputs: clear messages naming what to fix, and bounds on
every number and size before it reaches the store."""

from __future__ import annotations

from typing import Any

import pytest
from parley_janitor.agent_endpoints import AgentEndpointPolicy
from parley_janitor.session_input import (
    MAX_METADATA_BYTES,
    MAX_TTL_S,
    InvalidRequestError,
    SessionInput,
    parse_session_id,
)
from parley_janitor.session_service import hashed_call_sid

INPUT = SessionInput(AgentEndpointPolicy())


def test_immutable_fields_are_refused_by_name() -> None:
    with pytest.raises(InvalidRequestError, match="callSid, createdAt, sessionId cannot"):
        INPUT.updates({"sessionId": "x", "callSid": "y", "createdAt": "z"})
    with pytest.raises(InvalidRequestError, match=r"session\.close"):
        INPUT.updates({"status": "closed"})


def test_updates_accept_the_mutable_fields_and_reject_unknown_ones() -> None:
    updates = INPUT.updates(
        {
            "ttl": 60,
            "metadata": {"a": 1},
            "turns": [{"turnId": 1, "userUtterance": "hi", "agentResponse": "hello"}],
        }
    )
    assert updates.ttl == 60 and updates.turns is not None and updates.turns[0].turn_id == 1
    with pytest.raises(InvalidRequestError, match="colour"):
        INPUT.updates({"colour": "red"})
    with pytest.raises(InvalidRequestError, match="ttl"):
        INPUT.updates({"ttl": 0})
    with pytest.raises(InvalidRequestError, match="updates must be a JSON object"):
        INPUT.updates(None)


def test_create_requires_a_call_sid_and_a_positive_ttl() -> None:
    assert INPUT.create({"callSid": "CA1"}).config.ttl is None
    with pytest.raises(InvalidRequestError, match="callSid") as caught:
        INPUT.create({"config": {"ttl": -5}})
    assert "config.ttl" in str(caught.value)


@pytest.mark.parametrize("ttl", [10**13, MAX_TTL_S + 1, True, 60.0, "60"])
def test_a_ttl_beyond_a_day_or_not_a_whole_number_is_refused(ttl: Any) -> None:
    with pytest.raises(InvalidRequestError, match=r"config\.ttl"):
        INPUT.create({"callSid": "CA1", "config": {"ttl": ttl}})
    with pytest.raises(InvalidRequestError, match="ttl"):
        INPUT.updates({"ttl": ttl})
    assert INPUT.create({"callSid": "CA1", "config": {"ttl": MAX_TTL_S}}).config.ttl == MAX_TTL_S


@pytest.mark.parametrize(
    ("metadata", "bound"),
    [
        ({"blob": "x" * 5_000_000}, f"more than {MAX_METADATA_BYTES}"),
        ({"a": {"b": {"c": {"d": {"e": 1}}}}}, "nests 5 levels deep"),
        ({f"k{n}": n for n in range(65)}, "65 keys in all"),
        ({"n": 10**30}, "cannot be stored as JSON"),
    ],
)
def test_metadata_beyond_its_size_depth_and_key_bounds_is_refused(
    metadata: dict[str, Any], bound: str
) -> None:
    with pytest.raises(InvalidRequestError, match="metadata") as caught:
        INPUT.updates({"metadata": metadata})
    assert bound in str(caught.value)
    assert INPUT.updates({"metadata": {"a": {"b": {"c": [1, 2]}}, "tier": "gold"}}).metadata


def test_turns_are_bounded_in_number_and_size() -> None:
    turn = {"turnId": 1, "userUtterance": "hi", "agentResponse": "hello"}
    with pytest.raises(InvalidRequestError, match="turns"):
        INPUT.updates({"turns": [turn] * 51})
    with pytest.raises(InvalidRequestError, match="turn 1 is"):
        INPUT.updates({"turns": [{**turn, "agentResponse": "x" * 40_000}]})
    with pytest.raises(InvalidRequestError, match="cannot be stored as JSON"):
        INPUT.updates({"turns": [{**turn, "turnId": 10**30}]})


def test_names_reasons_and_cleanup_ages_are_bounded() -> None:
    with pytest.raises(InvalidRequestError, match="sttProvider"):
        INPUT.create({"callSid": "CA1", "config": {"sttProvider": "p" * 65}})
    with pytest.raises(InvalidRequestError, match="callSid"):
        INPUT.create({"callSid": "C" * 65})
    with pytest.raises(InvalidRequestError, match="reason must be a string of 1 to 64"):
        INPUT.close_reason("r" * 65)
    assert INPUT.close_reason(None) is None and INPUT.close_reason("done") == "done"
    for bad in (10**13, -1, True, 1.5, None):
        with pytest.raises(InvalidRequestError, match="olderThan"):
            INPUT.older_than(bad)
    assert INPUT.older_than(0) == 0


@pytest.mark.parametrize(
    "endpoint",
    [
        "file:///etc/passwd",
        "gopher://agent:70/",
        "http:///mcp",
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://[fe80::1%25eth0]/",
        "http://[::ffff:169.254.169.254]/",
        "http://2852039166/",
        "http://0xa9fea9fe/",
        "http://0251.0376.0251.0376/",
        "http://169.254.43518/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://METADATA.google.internal./",
        "http://100.100.100.200/latest/meta-data/",
        "http://0.0.0.0:8090/mcp",
        "http://user:secret@agent:8090/mcp",
        "http://agent:port/mcp",
        "https://agent.example.com/" + "a" * 2048,
    ],
)
def test_endpoints_other_than_plain_http_to_an_agent_are_refused(endpoint: str) -> None:
    with pytest.raises(InvalidRequestError, match=r"config\.mcpEndpoint"):
        INPUT.create({"callSid": "CA1", "config": {"mcpEndpoint": endpoint}})
    with pytest.raises(InvalidRequestError, match="mcpEndpoint"):
        INPUT.updates({"mcpEndpoint": endpoint})


@pytest.mark.parametrize(
    "endpoint",
    ["http://127.0.0.1:8090/mcp", "http://agent:8090/mcp", "https://agent.example.com/mcp"],
)
def test_http_endpoints_are_taken_without_an_allow_list(endpoint: str) -> None:
    config = INPUT.create({"callSid": "CA1", "config": {"mcpEndpoint": endpoint}}).config
    assert config.mcp_endpoint == endpoint


def test_an_allow_list_admits_only_its_hosts_and_url_prefixes() -> None:
    policy = AgentEndpointPolicy("agent:8090, https://agents.example.com/mcp ,169.254.169.254")
    for admitted in (
        "http://agent:8090/mcp",
        "https://agent:8090/other",
        "https://agents.example.com/mcp",
        "https://AGENTS.example.com:443/mcp/receptionist",
    ):
        assert policy.check(admitted) == admitted
    for refused in (
        "http://agent:8091/mcp",
        "http://agent.evil.example/mcp",
        "https://agents.example.com/mcpx",
        "https://agents.example.com/",
        "https://agents.example.com.evil.example/mcp",
        "https://agents.example.com:8443/mcp",
        "http://agents.example.com/mcp",
        "http://169.254.169.254/",  # listed, but never an agent
    ):
        with pytest.raises(ValueError, match=r"allow-list|link-local"):
            policy.check(refused)
    with pytest.raises(ValueError, match="names no host"):
        AgentEndpointPolicy("https:///mcp")


def test_session_ids_must_be_uuids() -> None:
    assert parse_session_id("6F9619FF-8B86-D011-B42D-00C04FC964FF").startswith("6f9619ff")
    with pytest.raises(InvalidRequestError, match="not a UUID"):
        parse_session_id("abc")


def test_call_sids_are_hashed_stably() -> None:
    assert hashed_call_sid("CA1") == hashed_call_sid("CA1") != hashed_call_sid("CA2")
    assert "CA1" not in hashed_call_sid("CA1")
