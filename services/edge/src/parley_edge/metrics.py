from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

CALLS_ACTIVE = Gauge("twilio_calls_active", "Media streams open on this edge")
MEDIA_CHUNKS = Counter("twilio_media_chunks_total", "Media frames handled", ["direction"])
# Counted 50 times a second per call: look the labelled children up once.
INBOUND_CHUNKS = MEDIA_CHUNKS.labels(direction="inbound")
OUTBOUND_CHUNKS = MEDIA_CHUNKS.labels(direction="outbound")
MALFORMED_MESSAGES = Counter(
    "twilio_malformed_messages_total", "Inbound Media Streams messages skipped", ["kind"]
)
WEBHOOKS = Counter("twilio_webhooks_total", "Twilio webhooks answered", ["route", "outcome"])
REPLAYED_WEBHOOKS = Counter(
    "twilio_webhooks_replayed_total",
    "Voice webhooks for a call that already had a session, by that call's state: answered "
    "with the same session (pending, streaming) or a hang-up (ended)",
    ["call_state"],
)
CALLS_ENDED = Counter("twilio_calls_ended_total", "Calls ended, by reason", ["reason"])
STALE_AGENT_FRAMES = Counter(
    "edge_stale_agent_frames_total", "Agent frames dropped because their turn was superseded"
)
DUPLICATE_AGENT_FRAMES = Counter(
    "edge_duplicate_agent_frames_total",
    "Agent frames dropped because that part of the reply was already queued (a tts worker "
    "that took over re-synthesised it)",
)
UNROUTABLE_MESSAGES = Counter(
    "edge_unroutable_messages_total", "Outbound messages for calls not on this edge", ["topic"]
)
FIRST_FRAME_LATENCY = Histogram(
    "voice_edge_first_frame_ms",
    "End of caller speech to the reply's first frame sent to Twilio",
    buckets=(100, 200, 300, 400, 500, 600, 800, 1000, 1200, 1600, 2400, 5000),
)
STREAMS_REJECTED = Counter(
    "twilio_streams_rejected_total", "Media streams closed as not authorised", ["reason"]
)
CALL_CONTROL = Counter(
    "twilio_call_control_total", "Calls updated through Twilio's REST API", ["action", "outcome"]
)
UPLINK_FRAMES_DROPPED = Counter(
    "edge_caller_frames_dropped_total",
    "Caller frames not sent to Kafka: queued longer than the uplink holds while the "
    "broker was unavailable (backlog), or refused by the producer",
    ["reason"],
)
UPLINK_EVENTS_DROPPED = Counter(
    "edge_call_events_dropped_total",
    "Call events dropped because too many piled up while Kafka was unavailable",
)
