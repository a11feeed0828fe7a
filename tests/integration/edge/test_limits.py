"""Per-instance limits on a real edge process: concurrent calls and call duration."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from parley_contracts import CallEnded, CallStarted
from parley_simulator.webhook import CallRejectedError

from tests.fakes.twilio_rest import FakeTwilioRest
from tests.integration.edge.harness import Edge, KafkaWatch, TwilioStream, running_edge

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def small_edge(
    stack_env: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
    twilio_api: FakeTwilioRest,
) -> Iterator[Edge]:
    with running_edge(
        stack_env,
        tmp_path_factory.mktemp("small-edge"),
        2,
        twilio_api_url=twilio_api.url,
        max_concurrent_calls="2",
        max_call_duration_s="2",
        # The answered call below holds its place until its status callback says it ended.
        pending_call_timeout_s="60",
    ) as edge:
        yield edge


async def test_over_the_limit_a_caller_gets_the_fallback_and_no_stream(
    small_edge: Edge, kafka: KafkaWatch, twilio_api: FakeTwilioRest
) -> None:
    streaming, answered, refused = (TwilioStream(small_edge) for _ in range(3))
    await streaming.call()
    await kafka.wait_for(streaming.session_id, CallStarted)
    await answered.answer()  # answered, its stream not yet connected: it holds a place too
    with pytest.raises(CallRejectedError, match="cannot take your call"):
        await refused.answer()
    await streaming.stop()
    await kafka.wait_for(streaming.session_id, CallEnded)
    again = TwilioStream(small_edge)
    await again.answer()  # a place came free

    # The caller behind an answered call hung up before its stream connected: Twilio's
    # status callback closes the session with the reason and frees the place.
    for stream, status in ((answered, "canceled"), (again, "no-answer")):
        assert await stream.status_callback(status) == 204
        ended = await kafka.wait_for(stream.session_id, CallEnded)
        assert isinstance(ended, CallEnded) and ended.reason == status


async def test_a_call_longer_than_the_maximum_is_hung_up(
    small_edge: Edge, kafka: KafkaWatch, twilio_api: FakeTwilioRest
) -> None:
    stream = TwilioStream(small_edge)
    await stream.call()
    await kafka.wait_for(stream.session_id, CallStarted)
    ended = await kafka.wait_for(stream.session_id, CallEnded, timeout_s=10)
    assert isinstance(ended, CallEnded) and ended.reason == "max_duration"
    assert [u.form for u in twilio_api.updates_for(stream.call_sid)] == [{"Status": "completed"}]
    started = next(e for e in kafka.events(stream.session_id) if isinstance(e, CallStarted))
    assert (ended.at - started.at).total_seconds() >= 2
