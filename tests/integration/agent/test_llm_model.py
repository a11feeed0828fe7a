"""When the model endpoint misbehaves: one bounded retry after a 429, the spoken fallback
for everything else (after what was already streamed), credentials never retried, and
each failure counted by kind."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest
from parley_devstack.fakes.openai import Fault
from parley_devstack.ports import free_port
from prometheus_client import REGISTRY

from tests.integration.agent.conftest import LlmAgent, running_agent

HOURS = "We open at nine in the morning. We close at five."
FALLBACK = "Sorry, our system is busy. Please call back later."


def failures(kind: str) -> float:
    return REGISTRY.get_sample_value("agent_llm_failures_total", {"kind": kind}) or 0.0


@pytest.fixture
async def agent() -> AsyncIterator[LlmAgent]:
    async with running_agent(fallback_reply=FALLBACK, stream_idle_s=0.5) as running:
        running.fake.controls.script.on_user("hours", HOURS)
        yield running


async def test_a_rate_limit_is_retried_once_then_answered(agent: LlmAgent) -> None:
    agent.fake.controls.rate_limit(retry_after_s=0.05)
    before = failures("rate_limit")
    answer = await agent.respond(utterance="opening hours")
    assert answer.reply == HOURS
    assert agent.fake.controls.attempts == 2
    assert failures("rate_limit") == before + 1


async def test_a_long_retry_after_is_cut_to_the_configured_bound(agent: LlmAgent) -> None:
    agent.fake.controls.rate_limit(retry_after_s=120)
    async with asyncio.timeout(20):  # far below the 120 s the endpoint asked for
        answer = await agent.respond(utterance="opening hours")
    assert answer.reply == HOURS


async def test_a_second_rate_limit_gives_the_fallback(agent: LlmAgent) -> None:
    agent.fake.controls.rate_limit(retry_after_s=0.05)
    agent.fake.controls.rate_limit(retry_after_s=0.05)
    answer = await agent.respond(utterance="opening hours")
    assert answer.reply == FALLBACK
    assert answer.deltas == [FALLBACK]  # spoken as soon as it is known
    assert agent.fake.controls.attempts == 2


async def test_a_server_error_gives_the_fallback_without_a_retry(agent: LlmAgent) -> None:
    agent.fake.controls.fail(500)
    before = failures("server_error")
    answer = await agent.respond(utterance="opening hours")
    assert answer.reply == FALLBACK
    assert agent.fake.controls.attempts == 1
    assert failures("server_error") == before + 1
    assert (await agent.respond(utterance="opening hours")).reply == HOURS


async def test_refused_credentials_are_not_retried_and_say_what_to_check(
    agent: LlmAgent, caplog: pytest.LogCaptureFixture
) -> None:
    agent.fake.controls.queue(Fault("unauthorized"))
    with caplog.at_level(logging.WARNING, logger="parley_agent"):
        answer = await agent.respond(utterance="opening hours")
    assert answer.reply == FALLBACK
    assert agent.fake.controls.attempts == 1
    (record,) = [r for r in caplog.records if getattr(r, "event", "") == "llm.failed"]
    assert record.levelno == logging.ERROR
    assert "PARLEY_LLM_API_KEY" in record.getMessage() + str(getattr(record, "error", ""))


async def test_a_stalled_stream_is_cut_and_the_fallback_follows_what_was_said(
    agent: LlmAgent,
) -> None:
    agent.fake.controls.queue(Fault("stall", stall_s=10, after_tokens=3))
    before = failures("stall")
    answer = await agent.respond(utterance="opening hours")
    assert answer.reply == f"We open at {FALLBACK}"
    assert "".join(answer.deltas) == answer.reply
    assert failures("stall") == before + 1


@pytest.mark.parametrize(
    ("fault", "kind"), [("malformed", "malformed"), ("error_event", "stream_error")]
)
async def test_a_broken_stream_ends_the_reply_with_the_fallback(
    agent: LlmAgent, fault: str, kind: str
) -> None:
    agent.fake.controls.queue(Fault(fault, after_tokens=3))  # type: ignore[arg-type]
    before = failures(kind)
    answer = await agent.respond(utterance="opening hours")
    assert answer.reply == f"We open at {FALLBACK}"
    assert "".join(answer.deltas) == answer.reply
    assert failures(kind) == before + 1


async def test_an_unreachable_endpoint_gives_the_fallback() -> None:
    async with running_agent(
        base_url=f"http://127.0.0.1:{free_port()}/v1", fallback_reply=FALLBACK
    ) as agent:
        before = failures("connection")
        answer = await agent.respond(utterance="opening hours")
    assert answer.reply == FALLBACK
    assert failures("connection") == before + 1
