"""`parley replay SESSION`: run a recorded call's caller audio through today's stt,
dialogue and tts, as a new session, and compare what is heard now with what was heard.

The recorded frames are read back from `parley.audio.in`, republished under a fresh
session id (with a call start and end around them) and the new session's final
transcripts are collected from `parley.transcripts`. Nothing reaches a caller: the
replayed call's edge slot is one no edge serves.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field

from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord
from parley_bus import KafkaConnection
from parley_bus.clients import started
from parley_contracts import (
    AUDIO_IN,
    CALL_EVENTS,
    TRANSCRIPTS,
    CallEnded,
    CallStarted,
    InboundAudioHeaders,
    Transcript,
    encode_event,
    transcript_event_decoder,
)
from parley_contracts.codec import EventDecodeError

from parley_ops.reading import read_topics


class NothingToReplayError(LookupError):
    pass


@dataclass
class ReplayResult:
    original_session: str
    replay_session: str
    frames: int
    original: list[str] = field(default_factory=list)
    replayed: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return self.original == self.replayed


async def final_transcripts(kafka: KafkaConnection, session: str) -> list[str]:
    finals: list[str] = []
    async for message in read_topics(kafka, [TRANSCRIPTS], session=session):
        try:
            event = transcript_event_decoder.decode(message.value or b"")
        except EventDecodeError:
            continue
        if isinstance(event, Transcript) and event.is_final:
            finals.append(event.text)
    return finals


async def replay_call(
    kafka: KafkaConnection, session: str, edge_slot: int = 15, timeout_s: float = 30.0
) -> ReplayResult:
    frames = [m async for m in read_topics(kafka, [AUDIO_IN], session=session)]
    if not frames:
        raise NothingToReplayError(
            f"no caller audio for session {session} on {AUDIO_IN.name} "
            "(expired by retention, or a wrong id?)"
        )
    frames.sort(key=lambda m: int(dict(m.headers).get("seq", b"0") or 0))
    result = ReplayResult(session, str(uuid.uuid4()), len(frames))
    result.original = await final_transcripts(kafka, session)
    producer = AIOKafkaProducer(**kafka.client_options(), acks="all")
    async with started(producer, kafka):
        call_sid = await _publish_call(producer, result.replay_session, frames, edge_slot)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            result.replayed = await final_transcripts(kafka, result.replay_session)
            if len(result.replayed) >= len(result.original):
                break
            await asyncio.sleep(0.5)
        # Hang up only now: a call's end and its audio travel on different topics, and
        # ending first could cut the recognition of the last frames short.
        ended = CallEnded(
            session_id=result.replay_session, call_sid=call_sid, reason="replay_finished"
        )
        key = result.replay_session.encode()
        await producer.send_and_wait(CALL_EVENTS.name, encode_event(ended), key=key)
    return result


async def _publish_call(
    producer: AIOKafkaProducer,
    session: str,
    frames: list[ConsumerRecord[bytes, bytes]],
    edge_slot: int,
) -> str:
    key = session.encode()
    call_sid = f"replay-{session[:8]}"
    started = CallStarted(
        session_id=session, edge_slot=edge_slot, call_sid=call_sid, stream_sid=call_sid
    )
    await producer.send_and_wait(CALL_EVENTS.name, encode_event(started), key=key)
    now_ms = int(time.time() * 1000)
    for index, message in enumerate(frames):
        meta = InboundAudioHeaders(
            session_id=session,
            seq=index + 1,
            media_timestamp_ms=index * 20,
            received_at_ms=now_ms + index * 20,
            edge_slot=edge_slot,
        )
        headers = [(k, v.encode()) for k, v in meta.to_headers().items()]
        await producer.send(AUDIO_IN.name, message.value, key=key, headers=headers)
    await producer.flush()
    return call_sid
