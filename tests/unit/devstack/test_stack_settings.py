from pathlib import Path

import pytest
from parley_devstack import LocalStack
from parley_devstack.env_file import render_env, write_env_file
from parley_devstack.stack import _redact

EXTERNAL = {
    "KAFKA_BOOTSTRAP_SERVERS": "kafka.internal:9092",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "DATABASE_URL": "postgresql://app:secret@db.internal:5432/parley",
}


def test_external_services_are_used_as_given_and_nothing_is_started(tmp_path: Path) -> None:
    stack = LocalStack(tmp_path, environ=EXTERNAL)

    assert stack.local_services() == {}
    assert stack.env() == EXTERNAL
    stack.start()  # nothing to start: must not touch the external services
    stack.stop()


def test_only_the_services_without_a_setting_are_local(tmp_path: Path) -> None:
    stack = LocalStack(tmp_path, environ={"REDIS_URL": EXTERNAL["REDIS_URL"]})

    assert set(stack.local_services()) == {"kafka", "postgres"}
    assert stack.redis is None
    assert stack.redis_url == EXTERNAL["REDIS_URL"]


def test_a_left_out_service_has_no_setting(tmp_path: Path) -> None:
    stack = LocalStack(tmp_path, with_postgres=False, environ=EXTERNAL)

    assert "DATABASE_URL" not in stack.env()
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        _ = stack.database_url


def test_passwords_are_redacted_for_logs() -> None:
    assert _redact(EXTERNAL["DATABASE_URL"]) == "postgresql://app:***@db.internal:5432/parley"
    assert _redact(EXTERNAL["KAFKA_BOOTSTRAP_SERVERS"]) == "kafka.internal:9092"


def test_env_file_is_shell_sourceable(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "stack.env"

    write_env_file(path, {"B": "plain", "A": "has space"})

    assert path.read_text() == render_env({"A": "has space", "B": "plain"})
    assert path.read_text() == "A='has space'\nB=plain\n"
    assert [p.name for p in path.parent.iterdir()] == ["stack.env"]
