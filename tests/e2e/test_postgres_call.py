"""A whole call with sessions in PostgreSQL: every service as its own process, all told
``PARLEY_SESSION_STORE=postgres``, and every turn lands in the janitor's session row."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from parley_devstack.fleet import ServiceFleet, running_fleet
from parley_sessions import Session, SessionCodec
from parley_simulator import CallReport
from redis import Redis

from tests.support.calls import call_saying

pytestmark = pytest.mark.e2e

SCRIPT = ["I would like to book an appointment", "next monday at nine"]


@pytest.fixture(scope="module")
def postgres_fleet(
    stack_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServiceFleet]:
    extra = {"PARLEY_SESSION_STORE": "postgres"}
    with running_fleet(stack_env, tmp_path_factory.mktemp("postgres-services"), extra) as fleet:
        yield fleet


@pytest.fixture(scope="module")
async def call(postgres_fleet: ServiceFleet) -> CallReport:
    return await call_saying(postgres_fleet, *SCRIPT)


def stored_in_postgres(database_url: str, session_id: str) -> Session:
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT record FROM parley_sessions WHERE session_id = %s", (session_id,)
        ).fetchone()
    assert row is not None, f"session {session_id} is not in PostgreSQL"
    return SessionCodec().decode(bytes(row[0]))


def test_every_turn_of_the_call_is_recorded_in_postgres(
    call: CallReport, stack_env: dict[str, str]
) -> None:
    assert len(call.turns) == len(SCRIPT) and all(t.reply for t in call.turns), call.turns
    session = stored_in_postgres(stack_env["DATABASE_URL"], call.session_id)
    assert session.call_sid == call.call_sid
    assert session.status == "closed"
    assert [t.turn_id for t in session.turns] == [1, 2]
    for recorded, turn in zip(session.turns, call.turns, strict=True):
        assert recorded.user_utterance == turn.transcript
        assert recorded.agent_response
        # The edge's measure of the turn reached the row too (a second update per turn).
        assert recorded.latency_stages and set(recorded.latency_stages) >= {"agent", "tts"}
        assert recorded.latency_ms is not None and recorded.latency_ms > 0


def test_the_session_api_serves_the_postgres_record(call: CallReport) -> None:
    assert call.session is not None
    assert [t["turnId"] for t in call.session["turns"]] == [1, 2]


def test_no_session_was_written_to_redis(call: CallReport, stack_env: dict[str, str]) -> None:
    with Redis.from_url(stack_env["REDIS_URL"]) as redis:
        assert not redis.exists(f"parley:session:{call.session_id}")


def test_no_service_failed_to_record_a_turn(call: CallReport, postgres_fleet: ServiceFleet) -> None:
    dialogue = postgres_fleet.processes["dialogue"].log_lines()
    assert not [line for line in dialogue if "dialogue.turn_not_recorded" in line]
    assert not [line for line in dialogue if "dialogue.no_session" in line]
    assert postgres_fleet.error_lines() == {}
