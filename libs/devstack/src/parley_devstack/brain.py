"""Which agent ``make run`` puts behind the dialogue service, and the line that says so.

Without ``PARLEY_AGENT_URL`` (or with it naming the launcher's own agent port) the
launcher starts ``services/agent`` and dialogue calls it; ``PARLEY_AGENT`` then picks
that agent's brain (``receptionist``, the demo, by default, or ``llm`` with its
``PARLEY_LLM_*`` settings, which reach the agent process like every other setting). With
``PARLEY_AGENT_URL`` naming any other MCP server, or a ``stdio:`` command, that server
is the brain and the local agent is not started: nothing would call it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from parley_devstack.env_file import UserSettings

AGENT_URL = "PARLEY_AGENT_URL"
AGENT_KIND = "PARLEY_AGENT"
LLM_MODEL = "PARLEY_LLM_MODEL"
LLM_BASE_URL = "PARLEY_LLM_BASE_URL"
# The LLM agent also takes the OpenAI SDK's own variable for its endpoint.
LLM_BASE_URL_FALLBACK = "OPENAI_BASE_URL"
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "0.0.0.0"})


@dataclass(frozen=True)
class Brain:
    url: str
    """What dialogue calls (PARLEY_AGENT_URL for every service)."""
    runs_local_agent: bool
    """Whether the launcher starts services/agent."""
    description: str
    """For the ``brain: ...`` line make run prints."""


def local_agent_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/mcp"


def _names_local_agent(url: str, port: int) -> bool:
    try:
        parts = urlsplit(url)
        return (
            parts.scheme == "http"
            and parts.hostname in _LOOPBACK_HOSTS
            and parts.port == port
            and parts.path.rstrip("/") == "/mcp"
        )
    except ValueError:  # an unparsable port: not ours
        return False


def _local_brain(settings: UserSettings, url: str) -> str:
    kind = (settings.get(AGENT_KIND) or "").strip().lower() or "receptionist"
    if kind == "llm":
        model = settings.get(LLM_MODEL)
        base_url = settings.get(LLM_BASE_URL) or settings.get(LLM_BASE_URL_FALLBACK)
        what = f"model {model}" if model else f"the agent's default model ({LLM_MODEL} unset)"
        where = (
            f"base URL {base_url}" if base_url else f"its default base URL ({LLM_BASE_URL} unset)"
        )
        return f"llm ({what} at {where}), served by the local agent at {url}"
    if kind == "receptionist":
        return f"demo receptionist ({url})"
    return f"the local agent with {AGENT_KIND}={kind} ({url})"


def choose_brain(settings: UserSettings, agent_port: int) -> Brain:
    """The agent the user's settings name, the launcher's own one by default."""
    own = local_agent_url(agent_port)
    wanted = settings.get(AGENT_URL)
    if not wanted or _names_local_agent(wanted, agent_port):
        return Brain(wanted or own, True, _local_brain(settings, wanted or own))
    description = f"your agent at {wanted} ({AGENT_URL} from {settings.source(AGENT_URL)})"
    if settings.get(AGENT_KIND):
        description += f"; {AGENT_KIND} is not used, the local agent is not started"
    return Brain(wanted, False, description)
