from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from parley_stt.frame_age import FrameVerdict

ACTIVE_RECOGNIZERS = Gauge("stt_active_recognizers", "Calls with a live recogniser on this worker")
FRAMES = Counter("stt_frames_total", "Caller frames consumed")
LATE_FRAMES = Counter("stt_late_frames_total", "Frames for calls that already ended")
STALE_FRAMES = Counter(
    "stt_stale_frames_total",
    "Caller frames skipped because they were queued before this worker held the call "
    "and are older than the takeover limit (a backlog after a worker took over partitions)",
)
OVERDUE_FRAMES = Counter(
    "stt_overdue_frames_total",
    "Caller frames of a call being recognised skipped because they arrived later than "
    "the catch-up limit",
)
BAD_FRAMES = Counter(
    "stt_bad_frames_total",
    "Caller frames skipped because their headers or size were not those of a caller frame",
    ["kind"],
)
REFUSED_SESSIONS = Counter(
    "stt_refused_sessions_total",
    "Sessions whose audio was refused because no live call has that session id",
)
REFUSED_FRAMES = Counter(
    "stt_refused_frames_total", "Caller frames dropped for sessions that are not active"
)
TRANSCRIPTS = Counter("stt_transcripts_total", "Transcripts emitted", ["kind"])
FRAME_DELAY = Histogram(
    "stt_inbound_frame_delay_ms",
    "Edge receive to stt consume, per frame",
    buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000),
)
STT_LATENCY = Histogram(
    "voice_stt_latency_ms",
    "End of speech (edge receive of the last speech frame) to final transcript published",
    buckets=(50, 100, 200, 300, 500, 700, 1000, 1500, 2000, 5000),
)
PROVIDER_ERRORS = Counter(
    "stt_provider_errors_total",
    "Speech provider failures that ended or prevented a call's recognition",
    ["provider", "kind"],
)
UNRECOGNISED_FRAMES = Counter(
    "stt_unrecognised_frames_total",
    "Caller frames not transcribed because no provider could be opened for the call",
)


def skipped_frame(verdict: FrameVerdict) -> None:
    (STALE_FRAMES if verdict is FrameVerdict.BACKLOG else OVERDUE_FRAMES).inc()
