"""Session API keys: entries hold only a key's hash, scopes imply the ones below them, a
janitor without keys does not start, and each operation (route or tool) needs its scope."""

from __future__ import annotations

import hashlib
import logging

import orjson
import pytest
from parley_janitor import keys
from parley_janitor.auth import (
    OPERATION_SCOPES,
    Authenticator,
    AuthNotConfiguredError,
    InsufficientScopeError,
    InvalidKeyError,
    MissingKeyError,
)
from parley_janitor.callers import ClientAddress, KeyIdentity
from parley_janitor.mcp_auth import requested_operations
from parley_janitor.rate_limit import DEFAULT_LIMITS
from parley_janitor.settings import JanitorSettings
from parley_sessions import ApiKeyEntryError, ApiKeyRing, new_api_key, parse_api_keys
from pydantic import ValidationError
from starlette.requests import Request


def test_an_entry_holds_the_key_s_sha256_and_never_the_key() -> None:
    key, entry = new_api_key("crm", ["write"])
    line = entry.line()
    assert line == f"crm:write:{hashlib.sha256(key.encode()).hexdigest()}"
    assert key not in line and key.split("_")[-1] not in line
    assert parse_api_keys(line) == [entry]


def test_a_key_pasted_where_its_hash_belongs_is_refused_without_echoing_it() -> None:
    key, _ = new_api_key("crm", ["read"])
    with pytest.raises(ApiKeyEntryError, match="never the key itself") as refused:
        parse_api_keys(f"crm:read:{key}")
    assert key not in str(refused.value)
    with pytest.raises(ValidationError) as invalid:
        JanitorSettings(api_keys=f"crm:read:{key}")
    assert key not in str(invalid.value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("crm:read", "is not <id>:<scopes>:<sha256 hex>"),
        ("crm:superuser:" + "0" * 64, "unknown scopes"),
        ("crm::" + "0" * 64, "unknown scopes"),
        ("c rm:read:" + "0" * 64, "must be 1-64 letters"),
        ("crm:read:" + "0" * 64 + ",crm:write:" + "1" * 64, "appears twice"),
    ],
)
def test_malformed_entries_are_refused_saying_what_to_fix(value: str, message: str) -> None:
    with pytest.raises(ApiKeyEntryError, match=message):
        parse_api_keys(value)


def test_scopes_imply_those_below_them() -> None:
    granted = {
        scope: {s for s in ("read", "write", "admin") if new_api_key("k", [scope])[1].grants(s)}
        for scope in ("read", "write", "admin")
    }
    assert granted == {
        "read": {"read"},
        "write": {"read", "write"},
        "admin": {"read", "write", "admin"},
    }


def test_several_entries_are_live_at_once_for_rotation() -> None:
    old_key, old = new_api_key("crm-2026-01", ["write"])
    new_key, new = new_api_key("crm-2026-07", ["write"])
    ring = ApiKeyRing(parse_api_keys(f"{old.line()}, {new.line()}"))
    assert ring.match(old_key) == old and ring.match(new_key) == new
    assert ring.match(old_key + "x") is None and ring.match("") is None


def test_without_keys_the_janitor_refuses_to_start_unless_auth_is_off(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with pytest.raises(AuthNotConfiguredError, match="PARLEY_JANITOR_AUTH=off"):
        Authenticator.from_settings(JanitorSettings())
    with caplog.at_level(logging.WARNING):
        Authenticator.from_settings(JanitorSettings(auth="off"))
    assert any(getattr(r, "event", "") == "janitor.auth_disabled" for r in caplog.records)


def _scope(path: str = "/v1/sessions") -> dict[str, object]:
    return {"type": "http", "path": path, "headers": []}


def test_authorize_refuses_missing_wrong_and_weaker_keys_and_records_the_key_id() -> None:
    read_key, read = new_api_key("reader", ["read"])
    admin_key, admin = new_api_key("ops", ["admin"])
    auth = Authenticator(ApiKeyRing([read, admin]))
    with pytest.raises(MissingKeyError) as missing:
        auth.authorize(_scope(), None, ["session.get"])
    assert missing.value.status == 401 and "error=" not in missing.value.challenge()
    with pytest.raises(InvalidKeyError) as wrong:
        auth.authorize(_scope(), f"Bearer {read_key}x", ["session.get"])
    assert wrong.value.status == 401 and 'error="invalid_token"' in wrong.value.challenge()
    with pytest.raises(InsufficientScopeError) as short:
        auth.authorize(_scope(), f"Bearer {read_key}", ["session.get", "session.close"])
    assert short.value.status == 403
    assert 'error="insufficient_scope", scope="write"' in short.value.challenge()
    admitted = _scope()
    auth.authorize(admitted, f"bearer {admin_key}", ["session.cleanup"])
    request = Request(admitted)
    assert KeyIdentity(ClientAddress())(request) == "key:ops"


def test_with_auth_off_callers_are_their_address() -> None:
    scope = {**_scope(), "client": ("203.0.113.7", 5000)}
    Authenticator(None).authorize(scope, None, ["session.cleanup"])
    assert KeyIdentity(ClientAddress())(Request(scope)) == "ip:203.0.113.7"


def test_every_operation_has_a_scope_and_unlisted_tools_need_admin() -> None:
    assert set(OPERATION_SCOPES) == set(DEFAULT_LIMITS)
    key, write = new_api_key("w", ["write"])
    auth = Authenticator(ApiKeyRing([write]))
    with pytest.raises(InsufficientScopeError) as refused:
        auth.authorize(_scope(), f"Bearer {key}", ["session.purge"])
    assert refused.value.needed == "admin"


def test_the_operations_an_mcp_body_asks_for() -> None:
    def call(name: object) -> dict[str, object]:
        params = {"name": name, "arguments": {}}
        return {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params}

    assert requested_operations(orjson.dumps(call("session.get"))) == ["session.get"]
    batch = [call("session.get"), call("x"), call(7)]
    assert requested_operations(orjson.dumps(batch)) == ["session.get", "x", ""]
    assert requested_operations(b'{"jsonrpc":"2.0","id":1,"method":"tools/list"}') == []
    assert requested_operations(b"not json") == requested_operations(b"") == []


def test_keys_new_prints_a_key_and_the_entry_admitting_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert keys.main(["new", "--id", "crm", "--scope", "write"]) == 0
    lines = [line.partition(":") for line in capsys.readouterr().out.splitlines()]
    out = {label: value.strip() for label, _, value in lines}
    (entry,) = parse_api_keys(out["entry"])
    assert entry.key_id == "crm" and entry.grants("write") and not entry.grants("admin")
    assert ApiKeyRing([entry]).match(out["key"]) == entry
    assert out["key"] not in out["entry"]
    assert keys.main(["new", "--id", "bad id"]) == 2
