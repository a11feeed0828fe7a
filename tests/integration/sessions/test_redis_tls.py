"""Parley's Redis parts over TLS, logged in as an ACL user with Parley's rule and nothing
more, against a real redis-server; and every way of being refused told apart."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from parley_devstack.local_redis import LocalRedis
from parley_devstack.ports import LOOPBACK, free_port
from parley_devstack.redis_security import ADMIN
from parley_janitor.rate_limit import RateLimitedError, RateLimiter
from parley_sessions import (
    CallIndex,
    CallIndexUnavailableError,
    IndexedCall,
    RedisAuthenticationError,
    RedisConnection,
    RedisListenerMismatchError,
    RedisPermissionError,
    RedisSessionStore,
    RedisTlsError,
    Session,
    SessionCodec,
    SessionStoreUnavailableError,
    Turn,
    check_rate_limit_access,
    connect_redis,
)
from redis.asyncio import Redis

from tests.support.failed_start import start_up_output

pytestmark = pytest.mark.integration

CODEC = SessionCodec([Fernet.generate_key().decode()])


@pytest.fixture(scope="module")
def parley(secure_redis: LocalRedis) -> RedisConnection:
    """Parley's user, with Parley's ACL rule."""
    assert secure_redis.security is not None
    return secure_redis.security.connection(secure_redis.port)


@pytest.fixture
async def admin(secure_redis: LocalRedis) -> AsyncIterator[Redis]:
    assert secure_redis.security is not None
    client = connect_redis(secure_redis.security.connection(secure_redis.port, ADMIN))
    yield client
    await client.aclose()


def with_url(connection: RedisConnection, url: str) -> RedisConnection:
    return RedisConnection(url, ssl_ca_file=connection.ssl_ca_file)


def login(connection: RedisConnection, user: str, password: str) -> RedisConnection:
    return with_url(connection, f"rediss://{user}:{password}@{connection.where()}/0")


async def test_the_session_store_works_over_tls_with_parleys_rights_only(
    parley: RedisConnection, admin: Redis
) -> None:
    before = set(await admin.keys("*"))
    store = RedisSessionStore(parley, CODEC)
    try:
        await store.check_access()
        assert set(await admin.keys("*")) == before  # the probe left nothing behind
        session = await store.create(Session(call_sid="CA-tls", ttl=60))
        await store.append_turn(
            session.id, Turn(turn_id=1, user_utterance="hi", agent_response="hello")
        )
        loaded = await store.get(session.id)
        assert loaded is not None and [t.turn_id for t in loaded.turns] == [1]
        assert session.id in await store.idle_ids(loaded.last_activity_at)
        closed = await store.close(session.id, "completed")
        assert closed.status == "closed"
        assert session.id not in await store.expired_ids(closed.expires_at())
    finally:
        await store.close_store()


async def test_the_call_index_works_over_tls_with_parleys_rights_only(
    parley: RedisConnection, admin: Redis
) -> None:
    before = set(await admin.keys("*"))
    index = CallIndex(parley, pending_timeout_s=30)
    try:
        await index.check_access()
        assert set(await admin.keys("*")) == before
        assert await index.claim("CA-tls", "s1") == IndexedCall("s1", "pending")
        assert await index.claim("CA-tls", "s2") == IndexedCall("s1", "pending")
        assert await index.start_stream("CA-tls", "s1") == IndexedCall("s1", "pending")
        assert await index.end("CA-tls") == IndexedCall("s1", "streaming")
        assert await index.lookup("CA-tls") == IndexedCall("s1", "ended")
    finally:
        await index.close()


async def test_the_rate_limiter_counts_over_tls_with_parleys_rights_only(
    parley: RedisConnection, admin: Redis
) -> None:
    redis = connect_redis(parley)
    try:
        before = set(await admin.keys("*"))
        await check_rate_limit_access(redis, parley)
        assert set(await admin.keys("*")) == before
        limiter = RateLimiter(redis, window_s=60, limits={"session.create": 2})
        await limiter.check("session.create", "198.51.100.1")
        await limiter.check("session.create", "198.51.100.1")
        with pytest.raises(RateLimitedError):
            await limiter.check("session.create", "198.51.100.1")
    finally:
        await redis.aclose()


async def test_a_plaintext_client_on_the_tls_port_is_told_to_use_rediss(
    parley: RedisConnection,
) -> None:
    plain = RedisConnection(parley.url.replace("rediss://", "redis://", 1))
    store = RedisSessionStore(plain, CODEC)
    try:
        with pytest.raises(RedisListenerMismatchError, match="use rediss:// in REDIS_URL"):
            await store.check_access()
    finally:
        await store.close_store()


async def test_a_wrong_password_is_refused_naming_the_user(parley: RedisConnection) -> None:
    index = CallIndex(login(parley, "parley", "not-the-password"))
    try:
        with pytest.raises(RedisAuthenticationError, match="refused the login of user 'parley'"):
            await index.check_access()
        # Past start-up the edge answers the fallback, and says why.
        with pytest.raises(CallIndexUnavailableError, match="WRONGPASS"):
            await index.claim("CA-wrong", "s1")
    finally:
        await index.close()


async def test_no_login_is_refused_with_how_to_give_one(parley: RedisConnection) -> None:
    store = RedisSessionStore(with_url(parley, f"rediss://{parley.where()}/0"), CODEC)
    try:
        with pytest.raises(RedisAuthenticationError, match="needs a login"):
            await store.check_access()
    finally:
        await store.close_store()


async def test_a_user_without_parleys_rights_gets_noperm_explained(
    parley: RedisConnection, admin: Redis
) -> None:
    # The usual slip: a rule for another application's keys, or read-only rights.
    for user, keys, category in (("other", "app:*", "+@all"), ("reader", "*", "+@read")):
        await admin.acl_setuser(
            user, enabled=True, reset=True, passwords=["+pw"], keys=[keys], categories=[category]
        )
    for user in ("other", "reader"):
        store = RedisSessionStore(login(parley, user, "pw"), CODEC)
        index = CallIndex(login(parley, user, "pw"))
        try:
            with pytest.raises(RedisPermissionError) as refused:
                await store.check_access()
            assert "NOPERM" in str(refused.value) and "~parley:session:*" in str(refused.value)
            with pytest.raises(RedisPermissionError, match=r"call index's share of it"):
                await index.check_access()
            with pytest.raises(SessionStoreUnavailableError, match="NOPERM"):
                await store.create(Session(call_sid="CA-noperm"))
        finally:
            await store.close_store()
            await index.close()


async def test_an_untrusted_certificate_is_told_to_need_the_ca(parley: RedisConnection) -> None:
    store = RedisSessionStore(RedisConnection(parley.url), CODEC)  # the system trust store
    try:
        with pytest.raises(RedisTlsError, match="set REDIS_SSL_CA_FILE"):
            await store.check_access()
    finally:
        await store.close_store()


async def test_a_client_certificate_is_presented_when_redis_asks(tmp_path: Path) -> None:
    redis = LocalRedis(tmp_path, secure=True, client_certificates=True)
    redis.start()
    try:
        assert redis.security is not None
        with_certificate = redis.security.connection(redis.port)
        without = RedisConnection(with_certificate.url, ssl_ca_file=with_certificate.ssl_ca_file)
        for connection, refusal in (
            (without, "asks for a client certificate"),
            (with_certificate, None),
        ):
            index = CallIndex(connection)
            try:
                if refusal is None:
                    await index.check_access()
                    assert await index.claim("CA-mtls", "s1") == IndexedCall("s1", "pending")
                else:
                    with pytest.raises(RedisTlsError, match=refusal):
                        await index.check_access()
            finally:
                await index.close()
    finally:
        redis.stop()


def test_a_service_with_a_wrong_redis_password_stops_at_start_up_saying_so(
    parley: RedisConnection,
) -> None:
    env = {
        "REDIS_URL": login(parley, "parley", "not-the-password").url,
        "REDIS_SSL_CA_FILE": parley.ssl_ca_file,
        # Never reached: the Redis check comes first.
        "KAFKA_BOOTSTRAP_SERVERS": f"{LOOPBACK}:{free_port()}",
    }
    said = start_up_output("edge", env)
    assert f"Redis at {parley.where()} refused the login of user 'parley' over TLS" in said
    assert '"event":"redis.refused"' in said
