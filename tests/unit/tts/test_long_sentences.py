"""A reply sentence of any length is spoken in bounded chunks, capped in total, and still
closes its segment and its turn."""

from __future__ import annotations

import logging

import pytest
from parley_speech import TextLimits
from prometheus_client import REGISTRY

from tests.unit.tts.recording_synthesizer import (
    RecordingPublisher,
    RecordingSynthesizer,
    sentence,
    worker_with,
)

LIMITS = TextLimits()  # the deployed defaults
RUNAWAY_CLAUSES = ("we can also offer the terrace, the bar or the garden room; " * 400)[:20_000]
RUNAWAY_SENTENCES = ("Yes. That works for us, thank you. " * 26_000)[:900_000]


def counted(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def assert_one_closed_segment(publisher: RecordingPublisher, *, is_last: bool) -> None:
    """Contiguous frames of segment 0; the turn's flags on the last frame only."""
    frames = publisher.frames
    assert [frame.seq for frame in frames] == list(range(len(frames)))
    assert {frame.segment for frame in frames} == {0}
    assert [frame.last_in_segment for frame in frames] == [False] * (len(frames) - 1) + [True]
    assert [frame.last_segment for frame in frames[:-1]] == [False] * (len(frames) - 1)
    assert frames[-1].last_segment is is_last and frames[-1].hangup_after is is_last


@pytest.mark.parametrize("text", [RUNAWAY_CLAUSES, RUNAWAY_SENTENCES], ids=["20KB", "900KB"])
async def test_a_runaway_sentence_is_spoken_in_chunks_up_to_the_cap_and_the_rest_refused(
    text: str, caplog: pytest.LogCaptureFixture
) -> None:
    synthesizer, publisher = RecordingSynthesizer(), RecordingPublisher()
    worker = worker_with(synthesizer, publisher, LIMITS)
    truncated_before = counted("tts_truncated_sentences_total")
    refused_before = counted("tts_refused_chars_total")

    with caplog.at_level(logging.WARNING, logger="parley_tts.worker"):
        await worker.on_reply(sentence(text))

    asked = synthesizer.texts
    assert len(asked) > 1 and all(len(chunk) <= LIMITS.chunk_chars for chunk in asked)
    assert synthesizer.most_open_streams == 1  # one chunk at a time
    spoken = " ".join(asked)
    assert text.startswith(spoken) and len(spoken) <= LIMITS.total_chars
    refused = len(text[len(spoken) :].strip())
    assert counted("tts_truncated_sentences_total") == truncated_before + 1
    assert counted("tts_refused_chars_total") == refused_before + refused
    [record] = [r for r in caplog.records if r.__dict__.get("event") == "tts.text_refused"]
    assert record.__dict__["refused_chars"] == refused
    assert "terrace" not in caplog.text and "works" not in caplog.text
    assert_one_closed_segment(publisher, is_last=True)
    assert len(publisher.frames) == 2 * len(asked)


async def test_a_long_sentence_within_the_cap_is_spoken_whole_in_chunks() -> None:
    text = RUNAWAY_CLAUSES[:2_000].strip()
    synthesizer, publisher = RecordingSynthesizer(), RecordingPublisher()
    refused_before = counted("tts_refused_chars_total")
    await worker_with(synthesizer, publisher, LIMITS).on_reply(sentence(text, is_last=False))
    assert len(synthesizer.texts) > 1 and " ".join(synthesizer.texts) == text
    assert all(chunk.endswith((",", ";")) for chunk in synthesizer.texts[:-1])
    assert counted("tts_refused_chars_total") == refused_before
    assert_one_closed_segment(publisher, is_last=False)


async def test_a_short_sentence_is_asked_for_as_it_is() -> None:
    synthesizer, publisher = RecordingSynthesizer(), RecordingPublisher()
    await worker_with(synthesizer, publisher, LIMITS).on_reply(sentence("Your table is booked."))
    assert synthesizer.texts == ["Your table is booked."]
    assert_one_closed_segment(publisher, is_last=True)


async def test_a_provider_failing_mid_sentence_ends_it_there_and_still_ends_the_turn() -> None:
    synthesizer, publisher = RecordingSynthesizer(fail_at=2), RecordingPublisher()
    errors = {"provider": "local", "kind": "ProviderConnectionLost"}
    errors_before = counted("tts_provider_errors_total", **errors)
    await worker_with(synthesizer, publisher, LIMITS).on_reply(sentence(RUNAWAY_CLAUSES))
    assert len(synthesizer.texts) == 2  # nothing more is asked of a failed provider
    assert_one_closed_segment(publisher, is_last=True)
    assert len(publisher.frames) == 3
    assert counted("tts_provider_errors_total", **errors) == errors_before + 1
