from __future__ import annotations

from prometheus_client import Counter, Histogram

FIRST_BYTE = Histogram(
    "voice_tts_first_byte_ms",
    "Sentence received to its first audio frame published",
    buckets=(20, 50, 100, 150, 200, 300, 500, 800, 1200, 2000),
)
SENTENCES = Counter("tts_sentences_total", "Sentences synthesised")
FRAMES = Counter("tts_frames_total", "Agent audio frames published")
SKIPPED_SENTENCES = Counter(
    "tts_skipped_sentences_total", "Sentences of interrupted or superseded turns not synthesised"
)
PROVIDER_ERRORS = Counter(
    "tts_provider_errors_total",
    "Sentences a speech provider failed to synthesise (in full or in part)",
    ["provider", "kind"],
)
TRUNCATED_SENTENCES = Counter(
    "tts_truncated_sentences_total",
    "Sentences longer than PARLEY_TTS_MAX_SENTENCE_CHARS, spoken only up to it",
)
REFUSED_CHARS = Counter(
    "tts_refused_chars_total", "Characters of sentences past PARLEY_TTS_MAX_SENTENCE_CHARS"
)
