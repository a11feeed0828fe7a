"""Redis refusals told apart: each names what the operator sets to fix it."""

from __future__ import annotations

import ssl

import pytest
from parley_sessions import (
    RedisAccessError,
    RedisAuthenticationError,
    RedisConnection,
    RedisPermissionError,
    RedisTlsError,
    RedisUnreachableError,
)
from parley_sessions.redis_diagnosis import classify
from parley_sessions.redis_store import RIGHTS
from redis.exceptions import AuthenticationError, NoPermissionError, RedisError, ResponseError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

CONNECTION = RedisConnection("rediss://parley:secret@redis.internal:6380/0")


def connection_error(cause: BaseException) -> RedisConnectionError:
    """As redis-py raises it: its own error, the socket's in its context."""
    error = RedisConnectionError(f"Error connecting to redis.internal:6380. {cause}")
    error.__context__ = cause
    return error


def certificate_error(code: int, message: str) -> ssl.SSLCertVerificationError:
    error = ssl.SSLCertVerificationError(1, f"[SSL: CERTIFICATE_VERIFY_FAILED] {message}")
    error.verify_code = code
    error.verify_message = message
    return error


def told(exc: RedisError) -> RedisAccessError:
    return classify(exc, CONNECTION, RIGHTS)


def test_noperm_names_the_rule_the_part_needs() -> None:
    reason = told(NoPermissionError("this user has no permissions to run the 'zadd' command"))
    assert isinstance(reason, RedisPermissionError)
    text = str(reason)
    assert "user 'parley'" in text and "'zadd'" in text
    assert RIGHTS.rule() in text and "docs/deploy.md" in text


def test_a_wrong_password_says_where_the_credentials_are() -> None:
    reason = told(AuthenticationError("invalid username-password pair or user is disabled."))
    assert isinstance(reason, RedisAuthenticationError)
    assert "WRONGPASS" in str(reason) and "REDIS_URL" in str(reason)
    assert "percent-encoded" in str(reason)
    assert "secret" not in str(reason)


def test_a_missing_login_says_how_to_give_one() -> None:
    reason = told(AuthenticationError("Authentication required."))
    assert isinstance(reason, RedisAuthenticationError)
    assert "needs a login (NOAUTH)" in str(reason)


@pytest.mark.parametrize(
    ("cause", "setting"),
    [
        (certificate_error(19, "self-signed certificate in chain"), "REDIS_SSL_CA_FILE"),
        (certificate_error(62, "Hostname mismatch"), "REDIS_SSL_CHECK_HOSTNAME=false"),
        (certificate_error(64, "IP address mismatch"), "REDIS_SSL_CHECK_HOSTNAME=false"),
        (ssl.SSLError(1, "[SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED]"), "REDIS_SSL_CERT_FILE"),
    ],
)
def test_tls_failures_name_the_setting_to_fix(cause: BaseException, setting: str) -> None:
    reason = told(connection_error(cause))
    assert isinstance(reason, RedisTlsError)
    assert setting in str(reason)


def test_an_outage_is_told_from_a_setting() -> None:
    refused = connection_error(ConnectionRefusedError(111, "Connect call failed"))
    assert isinstance(told(refused), RedisUnreachableError)
    timed_out = RedisTimeoutError("Timeout connecting to server")
    assert isinstance(told(timed_out), RedisUnreachableError)


def test_another_refusal_is_reported_with_its_part() -> None:
    reason = told(ResponseError("READONLY You can't write against a read only replica."))
    assert type(reason) is RedisAccessError
    assert "session store" in str(reason) and "READONLY" in str(reason)
