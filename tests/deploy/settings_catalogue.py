"""Every environment variable Parley's services read, taken from their settings classes."""

from __future__ import annotations

import re
from pathlib import Path

import parley_agent
from parley_agent.llm.settings import LlmSettings
from parley_dialogue.settings import DialogueSettings
from parley_edge.settings import EdgeSettings
from parley_janitor.settings import JanitorSettings
from parley_sessions import RedisSettings, SessionStoreSettings
from parley_stt.settings import SttSettings
from parley_tts.settings import TtsSettings
from pydantic import AliasChoices
from pydantic_settings import BaseSettings

SETTINGS: dict[str, type[BaseSettings]] = {
    "edge": EdgeSettings,
    "stt": SttSettings,
    "dialogue": DialogueSettings,
    "tts": TtsSettings,
    "janitor": JanitorSettings,
}
# The services that open the session store: they must all be given the same one.
SESSION_READERS = tuple(s for s, c in SETTINGS.items() if issubclass(c, SessionStoreSettings))
# What a deployment gives each of them so they agree on where sessions are.
SESSION_STORE_VARIABLES = (
    "PARLEY_SESSION_STORE",
    "DATABASE_URL",
    "PARLEY_SESSIONS_ENCRYPTION_KEYS",
)
# The services with a Redis client (call index, rate limits, sessions): they must all be
# given the same Redis and the same way of reaching it.
REDIS_CLIENTS = tuple(s for s, c in SETTINGS.items() if issubclass(c, RedisSettings))
REDIS_VARIABLES = (
    "REDIS_URL",
    "REDIS_SSL_CA_FILE",
    "REDIS_SSL_CERT_FILE",
    "REDIS_SSL_KEY_FILE",
    "REDIS_SSL_CHECK_HOSTNAME",
)
# The agent reads its own few settings from os.environ directly, and its LLM brain's
# from a settings class.
AGENT_SOURCE = Path(parley_agent.__file__).parent
_ENVIRON_GET = re.compile(r"os\.(?:environ\.get\(|environ\[|getenv\()\s*\"([A-Z0-9_]+)\"")


def agent_variables() -> set[str]:
    read_directly = {
        name
        for source in AGENT_SOURCE.glob("*.py")
        for name in _ENVIRON_GET.findall(source.read_text())
    }
    return read_directly | variables_of(LlmSettings)


# Read by the OpenTelemetry SDK and Python itself, not by Parley's settings.
STANDARD_PREFIXES = ("OTEL_", "PYTHON")


def variables_of(settings: type[BaseSettings], *, required_only: bool = False) -> set[str]:
    prefix = str(settings.model_config.get("env_prefix", "")).upper()
    names: set[str] = set()
    for name, field in settings.model_fields.items():
        if required_only and not field.is_required():
            continue
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names.update(str(c).upper() for c in alias.choices if str(c).isupper())
        else:
            names.add(f"{prefix}{name}".upper())
    return names


def default_values(service: str) -> dict[str, str]:
    """Each variable of a service with its default, spelled as an environment value."""
    settings = SETTINGS[service]
    prefix = str(settings.model_config.get("env_prefix", "")).upper()
    return {
        f"{prefix}{name}".upper(): str(field.default)
        for name, field in settings.model_fields.items()
        if not field.is_required() and not isinstance(field.validation_alias, AliasChoices)
    }


def required_variables(service: str) -> set[str]:
    """Settings without a default: a deployment that leaves one out cannot start."""
    return variables_of(SETTINGS[service], required_only=True)


def known_variables(service: str) -> set[str]:
    if service == "agent":
        return agent_variables() | {"PARLEY_AGENT_URL", "KAFKA_BOOTSTRAP_SERVERS"}
    return variables_of(SETTINGS[service])


def unknown_variables(service: str, variables: set[str]) -> set[str]:
    return {v for v in variables - known_variables(service) if not v.startswith(STANDARD_PREFIXES)}
