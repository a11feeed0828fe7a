"""Deepgram's live messages, parsed by the SDK, as recogniser events."""

from __future__ import annotations

from typing import Any

from deepgram.core.unchecked_base_model import construct_type
from deepgram.listen.v1.socket_client import V1SocketClientResponse
from parley_speech import FinalTranscript, InterimTranscript, SpeechStarted
from parley_speech.deepgram.transcripts import TranscriptAssembler


def parsed(message: dict[str, Any]) -> object:
    return construct_type(type_=V1SocketClientResponse, object_=message)  # type: ignore[arg-type]


def results(text: str, start: float, end: float, **flags: bool) -> object:
    words = text.split()
    step = (end - start) / max(1, len(words))
    items = [
        {"word": w, "start": start + i * step, "end": start + (i + 1) * step, "confidence": 0.9}
        for i, w in enumerate(words)
    ]
    return parsed(
        {
            "type": "Results",
            "channel_index": [0, 1],
            "start": start,
            "duration": end - start + 0.2,
            "channel": {"alternatives": [{"transcript": text, "confidence": 0.9, "words": items}]},
            "metadata": {"request_id": "r", "model_uuid": "m", "model_info": {}},
            **flags,
        }
    )


def test_final_segments_are_one_final_transcript_when_the_utterance_ends() -> None:
    assembler = TranscriptAssembler()
    events = [
        *assembler.on_message(parsed({"type": "SpeechStarted", "channel": [0], "timestamp": 0.5})),
        *assembler.on_message(results("i would", 0.5, 0.9, is_final=False)),
        *assembler.on_message(results("i would like a", 0.5, 1.5, is_final=True)),
        *assembler.on_message(results("table", 1.5, 1.8, is_final=False)),
        *assembler.on_message(results("table for two", 1.5, 2.2, is_final=True)),
    ]
    assert [type(e) for e in events] == [SpeechStarted, InterimTranscript, InterimTranscript]
    assert events[0] == SpeechStarted(500)
    assert isinstance(events[2], InterimTranscript)
    assert events[2].text == "i would like a table" and events[2].start_ms == 500

    ended = assembler.on_message(
        parsed({"type": "UtteranceEnd", "channel": [0, 1], "last_word_end": 2.2})
    )
    assert ended == [FinalTranscript("i would like a table for two", 0.9, 500, 2200)]
    assert (
        assembler.on_message(parsed({"type": "UtteranceEnd", "channel": [0], "last_word_end": 2.2}))
        == []
    )


def test_speech_final_or_finalize_ends_the_utterance_and_empty_finals_say_nothing() -> None:
    assembler = TranscriptAssembler()
    assert assembler.on_message(results("", 0.0, 1.0, is_final=True, speech_final=True)) == []
    final = assembler.on_message(results("yes please", 1.0, 1.6, is_final=True, from_finalize=True))
    assert final == [FinalTranscript("yes please", 0.9, 1000, 1600)]
    assert assembler.on_message(parsed({"type": "Metadata", "request_id": "r"})) == []
