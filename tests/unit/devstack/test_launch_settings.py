"""What `make run` gives each service: the environment over .env over the launcher's
defaults, for the agent as for every other setting."""

from pathlib import Path

import pytest
from parley_devstack.brain import choose_brain
from parley_devstack.env_file import UserSettings, read_env_file
from parley_devstack.errors import InvalidSettingError
from parley_devstack.run import service_ports, user_fleet
from parley_sessions import ApiKeyRing, new_api_key, parse_api_keys

INFRA = {"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:39092", "REDIS_URL": "redis://127.0.0.1:36379/0"}


def settings(tmp_path: Path, dotenv: str, environ: dict[str, str] | None = None) -> UserSettings:
    path = tmp_path / ".env"
    path.write_text(dotenv)
    return UserSettings.load(path, environ=environ or {})


def service_env(user: UserSettings, tmp_path: Path) -> dict[str, str]:
    brain = choose_brain(user, service_ports(user)["agent"])
    return user_fleet(user, INFRA, tmp_path / "logs", brain).service_env()


def test_the_agent_named_in_dotenv_is_the_one_dialogue_calls(tmp_path: Path) -> None:
    user = settings(tmp_path, "PARLEY_AGENT_URL=https://brain.example.com/mcp\n")

    env = service_env(user, tmp_path)

    assert env["PARLEY_AGENT_URL"] == "https://brain.example.com/mcp"
    assert env["PARLEY_JANITOR_MCP_ENDPOINT"] == "https://brain.example.com/mcp"


def test_the_environment_wins_over_dotenv_which_wins_over_the_defaults(tmp_path: Path) -> None:
    user = settings(
        tmp_path,
        "PARLEY_AGENT_URL=https://from-dotenv.example.com/mcp\n"
        "PARLEY_EDGE_PORT=9180\n"
        "PARLEY_PUBLIC_URL=https://from-dotenv.example.com\n"
        "PARLEY_LOG_LEVEL=DEBUG\n",
        environ={
            "PARLEY_AGENT_URL": "https://from-env.example.com/mcp",
            "PARLEY_EDGE_PORT": "9280",
        },
    )

    env = service_env(user, tmp_path)

    assert env["PARLEY_AGENT_URL"] == "https://from-env.example.com/mcp"
    assert env["PARLEY_EDGE_PORT"] == "9280"
    assert env["PARLEY_PUBLIC_URL"] == "https://from-dotenv.example.com"
    assert env["PARLEY_LOG_LEVEL"] == "DEBUG"
    assert env["PARLEY_STT_PORT"] == "8081"  # nobody set it: the default


def test_defaults_follow_the_ports_the_user_chose(tmp_path: Path) -> None:
    user = settings(tmp_path, "PARLEY_EDGE_PORT=9180\nPARLEY_AGENT_PORT=9190\n")

    env = service_env(user, tmp_path)

    assert env["PARLEY_PUBLIC_URL"] == "http://127.0.0.1:9180"
    assert env["PARLEY_AGENT_URL"] == "http://127.0.0.1:9190/mcp"
    assert env["PARLEY_AGENT_PORT"] == "9190"


def test_llm_settings_reach_the_agent_process(tmp_path: Path) -> None:
    user = settings(
        tmp_path,
        "PARLEY_AGENT=llm\nPARLEY_LLM_MODEL=from-dotenv\nPARLEY_LLM_API_KEY=sk-dotenv\n",
        environ={"PARLEY_LLM_MODEL": "qwen2.5-7b", "PARLEY_LLM_BASE_URL": "http://gpu:8000/v1"},
    )

    env = service_env(user, tmp_path)

    assert env["PARLEY_AGENT"] == "llm"
    assert env["PARLEY_LLM_MODEL"] == "qwen2.5-7b"
    assert env["PARLEY_LLM_BASE_URL"] == "http://gpu:8000/v1"
    assert env["PARLEY_LLM_API_KEY"] == "sk-dotenv"


def test_the_infrastructure_and_extra_env_stay_fixed(tmp_path: Path) -> None:
    user = settings(tmp_path, "REDIS_URL=redis://elsewhere:6379/0\n")
    brain = choose_brain(user, 8090)
    fleet = user_fleet(user, INFRA, tmp_path / "logs", brain)
    fleet.extra_env = {"PARLEY_LOG_LEVEL": "WARNING"}

    env = fleet.service_env()

    assert env["REDIS_URL"] == INFRA["REDIS_URL"]
    assert env["PARLEY_LOG_LEVEL"] == "WARNING"


def test_a_port_that_is_no_number_names_the_setting_and_its_source(tmp_path: Path) -> None:
    user = settings(tmp_path, "PARLEY_TTS_PORT=eighty\n")

    with pytest.raises(InvalidSettingError, match=r"PARLEY_TTS_PORT='eighty' \(from \.env\)"):
        service_ports(user)


def test_without_an_agent_url_the_demo_receptionist_is_started(tmp_path: Path) -> None:
    brain = choose_brain(settings(tmp_path, ""), 8090)

    assert brain.runs_local_agent
    assert brain.url == "http://127.0.0.1:8090/mcp"
    assert brain.description == "demo receptionist (http://127.0.0.1:8090/mcp)"


def test_an_agent_url_naming_the_local_agent_keeps_it(tmp_path: Path) -> None:
    brain = choose_brain(settings(tmp_path, "PARLEY_AGENT_URL=http://localhost:8090/mcp\n"), 8090)

    assert brain.runs_local_agent
    assert brain.url == "http://localhost:8090/mcp"


def test_another_mcp_server_is_the_brain_and_the_local_agent_is_not_started(
    tmp_path: Path,
) -> None:
    user = settings(tmp_path, "", environ={"PARLEY_AGENT_URL": "https://brain.example.com/mcp"})

    brain = choose_brain(user, 8090)

    assert not brain.runs_local_agent
    assert brain.description == (
        "your agent at https://brain.example.com/mcp (PARLEY_AGENT_URL from the environment)"
    )


def test_the_llm_brain_is_described_by_its_model_and_base_url(tmp_path: Path) -> None:
    user = settings(
        tmp_path,
        "PARLEY_AGENT=llm\nPARLEY_LLM_MODEL=gpt-4o-mini\n"
        "PARLEY_LLM_BASE_URL=http://127.0.0.1:8770/v1\nPARLEY_LLM_API_KEY=sk-secret\n",
    )

    brain = choose_brain(user, 8090)

    assert brain.runs_local_agent
    assert brain.description.startswith(
        "llm (model gpt-4o-mini at base URL http://127.0.0.1:8770/v1)"
    )
    assert "sk-secret" not in brain.description


def test_dotenv_is_read_as_the_services_read_it(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text(
        "# a comment\n"
        "export PARLEY_LOG_LEVEL=DEBUG\n"
        'PARLEY_DIALOGUE_FILLER_PHRASE="One moment."\n'
        "PARLEY_EMPTY=\n"
        "BARE\n"
    )

    assert read_env_file(path) == {
        "PARLEY_LOG_LEVEL": "DEBUG",
        "PARLEY_DIALOGUE_FILLER_PHRASE": "One moment.",
        "PARLEY_EMPTY": "",
    }
    assert read_env_file(tmp_path / "missing.env") == {}


def test_the_janitor_admits_the_launcher_s_read_key_beside_the_user_s(tmp_path: Path) -> None:
    user_key, user_entry = new_api_key("crm", ["write"])
    cases = [("", []), (user_entry.line(), [user_entry])]
    for keys, given in cases:
        user = settings(tmp_path, f"PARLEY_JANITOR_API_KEYS={keys}\n")
        fleet = user_fleet(user, INFRA, tmp_path / "logs", choose_brain(user, 8090))
        configured = fleet.service_env()["PARLEY_JANITOR_API_KEYS"]
        entries = parse_api_keys(configured)
        assert entries[:-1] == given
        launcher = ApiKeyRing(entries).match(fleet.janitor_api_key)
        assert launcher is entries[-1] and launcher.grants("read") and not launcher.grants("write")
        assert fleet.janitor_api_key not in configured and user_key not in configured
