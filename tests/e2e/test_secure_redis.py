"""A whole call with Redis over TLS: every service with a Redis client logs in as Parley's
ACL user, which may do what Parley's rule allows and nothing more."""

from __future__ import annotations

import pytest
from parley_devstack.fleet import running_fleet
from parley_devstack.local_redis import LocalRedis
from parley_devstack.redis_security import ADMIN
from parley_sessions import SessionCodec, connect_redis

from tests.support.calls import call_saying

pytestmark = pytest.mark.e2e


async def test_a_whole_call_goes_through_with_redis_over_tls_and_an_acl_user(
    stack_env: dict[str, str],
    secure_redis: LocalRedis,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    security = secure_redis.security
    assert security is not None
    redis_env = {"REDIS_URL": secure_redis.url, **security.environment()}
    with running_fleet({**stack_env, **redis_env}, tmp_path_factory.mktemp("services")) as fleet:
        call = await call_saying(fleet, "I would like to book an appointment")
        errors = fleet.error_lines()
        checked = [
            service
            for service, process in fleet.processes.items()
            if any("redis.access_checked" in line for line in process.log_lines())
        ]
    (turn,) = call.turns
    assert turn.transcript and turn.reply, turn
    assert errors == {}
    assert sorted(checked) == ["dialogue", "edge", "janitor", "stt"]
    admin = connect_redis(security.connection(secure_redis.port, ADMIN))
    try:
        stored = await admin.get(f"parley:session:{call.session_id}")
        assert await admin.exists(f"parley:calls:{call.call_sid}")
    finally:
        await admin.aclose()
    assert stored is not None
    session = SessionCodec().decode(stored)
    assert [t.turn_id for t in session.turns] == [1] and session.status == "closed"
