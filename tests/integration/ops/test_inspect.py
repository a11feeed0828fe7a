"""`parley inspect` against the local Kafka: one call's audio as runs, or frame by frame."""

from __future__ import annotations

import asyncio
import uuid

import orjson
import pytest
from aiokafka import AIOKafkaProducer
from parley_contracts import AUDIO_IN, CALL_EVENTS, CallEnded, InboundAudioHeaders, encode_event
from parley_ops.cli import main

pytestmark = pytest.mark.integration
SILENCE = b"\xff" * 160
START_MS = 1_700_000_000_000


async def record_call(bootstrap: str, session: str) -> None:
    """Frames 0-4, the call's end, then frames 5-6: two runs around one event."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for seq in (0, 1, 2, 3, 4, None, 5, 6):
            at = START_MS + (seq * 20 if seq is not None else 90)  # the end between frames 4 and 5
            if seq is None:
                ended = CallEnded(session_id=session, call_sid="CA1", reason="hangup")
                await producer.send_and_wait(
                    CALL_EVENTS.name, encode_event(ended), key=session.encode(), timestamp_ms=at
                )
                continue
            headers = InboundAudioHeaders(session, seq, seq * 20, at, edge_slot=0)
            await producer.send_and_wait(
                AUDIO_IN.name,
                SILENCE,
                key=session.encode(),
                partition=0,
                timestamp_ms=at,
                headers=[(k, v.encode()) for k, v in headers.to_headers().items()],
            )
    finally:
        await producer.stop()


def inspect(
    bootstrap: str, session: str, capsys: pytest.CaptureFixture[str], *extra: str
) -> list[dict[str, object]]:
    argv = ["--bootstrap", bootstrap, "inspect", "audio.in", "call.events", "--session", session]
    assert main([*argv, "--json", *extra]) == 0
    return [orjson.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_inspect_prints_runs_by_default_and_frames_on_request(
    stack_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    bootstrap = stack_env["KAFKA_BOOTSTRAP_SERVERS"]
    session = str(uuid.uuid4())
    asyncio.run(record_call(bootstrap, session))

    runs = inspect(bootstrap, session, capsys)
    assert [(r["kind"], r.get("seq_first"), r.get("seq_last")) for r in runs] == [
        ("audio.run", 0, 4),
        ("call.ended", None, None),
        ("audio.run", 5, 6),
    ]
    assert runs[0]["frames"] == 5 and runs[0]["duration_ms"] == 100
    assert runs[0]["level_dbfs"] == -100.0

    frames = inspect(bootstrap, session, capsys, "--frames")
    assert [r["kind"] for r in frames] == ["audio.frame"] * 5 + ["call.ended"] + ["audio.frame"] * 2
    assert all(r["level_dbfs"] == -100.0 for r in frames if r["kind"] == "audio.frame")
