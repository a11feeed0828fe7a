"""The OpenAI fake through the official ``openai`` SDK: what a real client sees."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx2
import openai
import pytest
from openai import AsyncOpenAI
from openai.types.chat import ChatCompletionMessageParam
from parley_devstack.fakes.openai import FakeOpenAI, Fault

HELLO: list[ChatCompletionMessageParam] = [{"role": "user", "content": "tell me the opening hours"}]


@pytest.fixture
async def fake() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI() as running:
        running.controls.script.on_user("hours", "We open at nine. We close at five. Bye.")
        running.controls.script.on_user_call("book", "calendar_lookup", day="monday")
        yield running


def client_of(fake: FakeOpenAI, key: str | None = None, timeout: float = 5.0) -> AsyncOpenAI:
    return AsyncOpenAI(
        base_url=fake.url, api_key=key or fake.controls.api_key, max_retries=0, timeout=timeout
    )


async def test_a_streamed_reply_arrives_in_pieces_with_usage_last(fake: FakeOpenAI) -> None:
    stream = await client_of(fake).chat.completions.create(
        model="fake-model",
        messages=HELLO,
        stream=True,
        stream_options={"include_usage": True},
    )
    pieces, finish, usage = [], None, None
    async for chunk in stream:
        for choice in chunk.choices:
            pieces.append(choice.delta.content or "")
            finish = choice.finish_reason or finish
        usage = chunk.usage or usage
    assert "".join(pieces) == "We open at nine. We close at five. Bye."
    assert len([p for p in pieces if p]) > 5
    assert finish == "stop"
    assert usage is not None and usage.completion_tokens > 0 and usage.prompt_tokens > 0


async def test_without_include_usage_no_usage_chunk_is_sent(fake: FakeOpenAI) -> None:
    stream = await client_of(fake).chat.completions.create(
        model="fake-model",
        messages=HELLO,
        stream=True,
    )
    chunks = [chunk async for chunk in stream]
    assert {chunk.usage for chunk in chunks} == {None}
    assert chunks[-1].choices[0].finish_reason == "stop"


async def test_a_streamed_tool_call_is_assembled_by_the_sdk(fake: FakeOpenAI) -> None:
    client = client_of(fake)
    async with client.chat.completions.stream(
        model="fake-model", messages=[{"role": "user", "content": "book me in"}]
    ) as stream:
        completion = await stream.get_final_completion()
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    calls = choice.message.tool_calls or []
    assert [(c.function.name, c.function.arguments) for c in calls] == [
        ("calendar_lookup", '{"day": "monday"}')
    ]


async def test_a_non_streamed_answer_is_one_completion(fake: FakeOpenAI) -> None:
    completion = await client_of(fake).chat.completions.create(
        model="fake-model",
        messages=HELLO,
    )
    assert completion.choices[0].message.content == "We open at nine. We close at five. Bye."
    assert completion.usage is not None and completion.usage.total_tokens > 0


async def test_rate_limit_says_when_to_retry(fake: FakeOpenAI) -> None:
    fake.controls.rate_limit(retry_after_s=3)
    with pytest.raises(openai.RateLimitError) as refused:
        await client_of(fake).chat.completions.create(model="m", messages=HELLO)
    assert refused.value.response.headers["retry-after"] == "3"
    assert refused.value.code == "rate_limit_exceeded"


async def test_the_sdk_retries_a_server_error_itself_when_allowed(fake: FakeOpenAI) -> None:
    fake.controls.fail(503)
    client = client_of(fake).with_options(max_retries=1)
    completion = await client.chat.completions.create(model="m", messages=HELLO)
    assert completion.choices[0].message.content
    assert fake.controls.attempts == 2


async def test_a_wrong_key_or_an_auth_cue_is_refused_with_401(fake: FakeOpenAI) -> None:
    with pytest.raises(openai.AuthenticationError):
        await client_of(fake, key="wrong").chat.completions.create(model="m", messages=HELLO)
    fake.controls.queue(Fault("unauthorized"))
    with pytest.raises(openai.AuthenticationError):
        await client_of(fake).chat.completions.create(model="m", messages=HELLO)


async def test_a_stall_outlasts_the_client_timeout(fake: FakeOpenAI) -> None:
    fake.controls.queue(Fault("stall", stall_s=5, after_tokens=2))
    stream = await client_of(fake, timeout=0.3).chat.completions.create(
        model="m",
        messages=HELLO,
        stream=True,
    )
    with pytest.raises((openai.APITimeoutError, httpx2.ReadTimeout)):
        async for _ in stream:
            pass


@pytest.mark.parametrize("kind", ["malformed", "error_event"])
async def test_a_broken_stream_raises_in_the_sdk(fake: FakeOpenAI, kind: str) -> None:
    fake.controls.queue(Fault(kind, after_tokens=3))
    stream = await client_of(fake).chat.completions.create(
        model="m",
        messages=HELLO,
        stream=True,
    )
    seen = []
    with pytest.raises((openai.APIError, ValueError)):
        async for chunk in stream:
            seen.extend(c.delta.content for c in chunk.choices)
    assert "".join(s or "" for s in seen) == "We open at"


async def test_the_script_and_faults_can_be_set_over_http(fake: FakeOpenAI) -> None:
    base = fake.url.removesuffix("/v1")
    async with httpx2.AsyncClient(base_url=base) as http:
        script = {"rules": [{"user": "", "reply": "Scripted from outside."}]}
        assert (await http.post("/_fake/script", json=script)).status_code == 200
        assert (await http.post("/_fake/script", json={"rules": [{}]})).status_code == 400
        await http.post("/_fake/faults", json={"kind": "rate_limit", "retry_after_s": 1})
        client = client_of(fake)
        with pytest.raises(openai.RateLimitError):
            await client.chat.completions.create(model="m", messages=HELLO)
        completion = await client.chat.completions.create(model="m", messages=HELLO)
        assert completion.choices[0].message.content == "Scripted from outside."
        seen = (await http.get("/_fake/requests")).json()
    assert [r["messages"] for r in seen] == [HELLO, HELLO]
