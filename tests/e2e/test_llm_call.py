"""A whole call with the LLM brain: the agent (PARLEY_AGENT=llm) talks to the local
OpenAI fake through the openai SDK at a realistic pace, calls a tool of a real MCP tool
server, and streams its reply through contract v2; the caller hears the first sentence
while the model is still writing the rest, and end_call hangs up after the goodbye."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from mcp.server.mcpserver import MCPServer
from parley_devstack.fakes.openai import FakeOpenAI, OpenAIFakeControls
from parley_devstack.fleet import ServiceFleet, running_fleet
from parley_simulator import CallerTurn, CallerVoice, CallOptions, place_call

from tests.support.background_loop import BackgroundLoop
from tests.support.mcp_agents import serving_mcp

pytestmark = pytest.mark.e2e
API_KEY = "e2e-llm-key"
GREETING = "Hello, thank you for calling Parley Dental. How can I help you today?"
HOURS_REPLY = (
    "On Monday we open at nine. "
    "We close at five in the afternoon, and the last appointment of the day starts at "
    "half past four, so please arrive a little early if you would like that slot, because "
    "the front desk needs a few minutes to check your details before the dentist can see "
    "you. Is there anything else I can help you with today, such as booking an "
    "appointment or checking which of our dentists are working that day?"
)
GOODBYE = "Thank you for calling, goodbye."


class OpeningHours:
    """The caller's business tool: a real MCP server the LLM agent is a client of."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.server = MCPServer("hours")

        @self.server.tool(name="opening_hours", description="Opening hours on a day.")
        def opening_hours(day: str) -> str:
            self.asked.append(day)
            return f"{day}: nine in the morning to five in the afternoon"


@dataclass
class Brain:
    fake: FakeOpenAI
    hours: OpeningHours
    tools_url: str


@pytest.fixture(scope="module")
def brain() -> Iterator[Brain]:
    controls = OpenAIFakeControls(api_key=API_KEY, first_token_ms=400, tokens_per_s=40)
    script = controls.script
    script.on_user("call has just connected", GREETING)
    script.on_user_call("open", "opening_hours", day="monday")
    script.on_tool("opening_hours", HOURS_REPLY, result_contains="nine")
    script.on_user_call("goodbye", "end_call")
    script.on_tool("end_call", GOODBYE)
    hours = OpeningHours()
    app = hours.server.streamable_http_app(streamable_http_path="/mcp", stateless_http=True)
    with BackgroundLoop() as background:
        servers = contextlib.AsyncExitStack()
        fake = background.run(servers.enter_async_context(FakeOpenAI(controls)))
        tools_url = background.run(servers.enter_async_context(serving_mcp(app)))
        try:
            yield Brain(fake, hours, tools_url)
        finally:
            background.run(servers.aclose())


@pytest.fixture(scope="module")
def fleet(
    stack_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory, brain: Brain
) -> Iterator[ServiceFleet]:
    extra_env = {
        "PARLEY_AGENT": "llm",
        "PARLEY_LLM_BASE_URL": brain.fake.url,
        "PARLEY_LLM_API_KEY": API_KEY,
        "PARLEY_LLM_MODEL": "fake-model",
        "PARLEY_LLM_TOOL_SERVERS": f"hours={brain.tools_url}",
        # Two model calls (the tool, then the reply) before the first words: allow them,
        # and say no filler, so the first audio the caller hears is the reply itself.
        "PARLEY_DIALOGUE_AGENT_TIMEOUT_S": "8",
        "PARLEY_DIALOGUE_FILLER_PHRASE": "",
        # A long answer (about three seconds of streaming at 40 tokens/s), spoken whole.
        "PARLEY_DIALOGUE_SPEECH_MAX_CHARS": "1000",
    }
    with running_fleet(stack_env, tmp_path_factory.mktemp("llm-services"), extra_env) as services:
        yield services


def words(text: str | None) -> set[str]:
    return set(re.findall(r"[a-z0-9']+", (text or "").lower()))


async def test_an_llm_call_streams_its_reply_uses_a_tool_and_hangs_up_after_goodbye(
    fleet: ServiceFleet, brain: Brain
) -> None:
    voice = CallerVoice()
    lines = ["what time do you open on monday", "no thank you goodbye"]
    report = await place_call(
        CallOptions(
            turns=[CallerTurn(script=line, frames=voice.say(line)) for line in lines],
            edge_url=fleet.processes["edge"].url,
            janitor_url=fleet.processes["janitor"].url,
            janitor_api_key=fleet.janitor_api_key,
            reply_timeout_s=90,  # the long answer takes about half a minute to hear
        )
    )

    assert report.greeting_audio, f"the model's greeting was spoken: {report.to_json()}"
    assert len(report.turns) == 2, report.to_json()
    hours_turn, goodbye_turn = report.turns
    assert "open" in words(hours_turn.transcript), hours_turn.transcript
    assert "goodbye" in words(goodbye_turn.transcript), goodbye_turn.transcript

    # The tool of the caller's MCP server was called and its answer used.
    assert brain.hours.asked == ["monday"]
    assert hours_turn.reply is not None and "nine" in words(hours_turn.reply)

    # Streamed: the caller heard the first sentence before the model finished the reply.
    finished = [at for at, text in brain.fake.controls.streams_finished if text == HOURS_REPLY]
    assert finished, "the model streamed the reply to the end"
    assert hours_turn.reply_heard_at is not None
    assert hours_turn.reply_heard_at < finished[-1], (
        f"first audio {hours_turn.reply_heard_at:.3f}, stream ended {finished[-1]:.3f}"
    )

    # end_call: the goodbye was heard to its end (the edge confirmed its mark), then the
    # agent's side hung up.
    assert goodbye_turn.reply_audio, "the goodbye was heard"
    assert report.ended_by == "agent"

    assert report.session is not None
    recorded = {t["userUtterance"]: t for t in report.session["turns"]}
    hours_record = next(t for said, t in recorded.items() if "open" in said)
    assert [c["name"] for c in hours_record["toolCalls"]] == ["hours.opening_hours"]
    assert "nine" in str(hours_record["toolCalls"][0]["result"])
    assert hours_record["usage"]["promptTokens"] > 0
    assert hours_record["usage"]["completionTokens"] > 0
