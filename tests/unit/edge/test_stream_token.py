from __future__ import annotations

import pytest
from parley_edge.stream_token import StreamTokenError, StreamTokens

TOKENS = StreamTokens("secret", ttl_s=60)
SESSION, CALL = "5f1c0b8e-session", "CA" + "1" * 32


def test_a_token_is_good_for_its_own_call_until_it_expires() -> None:
    token = TOKENS.issue(SESSION, CALL, now=1000)
    TOKENS.verify(token, SESSION, CALL, now=1059)
    with pytest.raises(StreamTokenError, match="expired"):
        TOKENS.verify(token, SESSION, CALL, now=1061)


@pytest.mark.parametrize(
    ("session", "call"), [("another-session", CALL), (SESSION, "CA" + "2" * 32)]
)
def test_a_token_for_another_call_is_refused(session: str, call: str) -> None:
    with pytest.raises(StreamTokenError, match="does not match"):
        TOKENS.verify(TOKENS.issue(SESSION, CALL), session, call)


@pytest.mark.parametrize("token", ["", "v1", "v1.abc.def", "v2.9999999999.00", "x.y.z.w"])
def test_malformed_tokens_are_refused(token: str) -> None:
    with pytest.raises(StreamTokenError):
        TOKENS.verify(token, SESSION, CALL)


def test_a_token_signed_with_another_secret_is_refused() -> None:
    forged = StreamTokens("guessed", ttl_s=60).issue(SESSION, CALL)
    with pytest.raises(StreamTokenError):
        TOKENS.verify(forged, SESSION, CALL)


def test_an_empty_secret_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="PARLEY_EDGE_STREAM_TOKEN_SECRET"):
        StreamTokens("", ttl_s=60)
