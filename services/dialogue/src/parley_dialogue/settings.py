from __future__ import annotations

from typing import Literal

from parley_bus import KafkaSettings
from parley_runtime import ServiceSettings
from parley_sessions import SessionStoreSettings
from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

Treatment = Literal["keep", "mask", "remove"]


class DialogueSettings(ServiceSettings, KafkaSettings, SessionStoreSettings):
    model_config = SettingsConfigDict(
        env_prefix="PARLEY_DIALOGUE_", env_file=".env", extra="ignore"
    )

    port: int = 8082
    consumer_group: str = "parley-dialogue"

    # --- the agent ------------------------------------------------------------------
    agent_url: str = Field(
        default="http://127.0.0.1:8090/mcp",
        validation_alias=AliasChoices("PARLEY_AGENT_URL", "agent_url"),
        description="Streamable-HTTP endpoint of the MCP agent, or `stdio:<command>`.",
    )
    agent_tool: str = "respond"
    agent_timeout_s: float | None = Field(
        default=None,
        gt=0,
        description="Per-request deadline; by default the hard cap minus the stt and tts "
        "budgets (0.8 s).",
    )
    agent_token: str = Field(
        default="",
        validation_alias=AliasChoices("PARLEY_AGENT_TOKEN", "agent_token"),
        description="Bearer token sent to the agent, if it needs one.",
    )
    agent_api_key: str = Field(
        default="",
        validation_alias=AliasChoices("PARLEY_AGENT_API_KEY", "agent_api_key"),
        description="API key sent to the agent in `agent_api_key_header`, if it needs one.",
    )
    agent_api_key_header: str = "X-API-Key"
    agent_stream_idle_s: float = Field(
        default=5.0,
        gt=0,
        description="A streaming (v2) agent must send the next piece of its reply within "
        "this long, or the reply is cut there.",
    )
    agent_streaming: bool = Field(
        default=True,
        description="Off: every agent is called as v1 (one blocking call, the whole reply; "
        "no progress token, no v2 fields, no preemptive generation), whatever it declares.",
    )
    agent_circuit_failures: int = Field(default=3, ge=1)
    agent_circuit_reset_s: float = Field(default=30.0, gt=0)
    fallback_reply: str = "I'm having trouble connecting right now. Please try again in a moment."
    session_wait_s: float = Field(
        default=3.0, ge=0, description="How long to wait for a new call's session record."
    )
    max_event_age_s: float = Field(
        default=10.0,
        gt=0,
        description="Final transcripts older than this are not answered (a backlog seen "
        "again after a worker took over its partitions).",
    )

    # --- latency budget (ms, end of caller speech -> first audio at the caller) -------
    budget_total_ms: int = Field(default=800, gt=0)
    budget_hard_cap_ms: int = Field(default=1200, gt=0)
    budget_stt_ms: int = Field(default=200, gt=0)
    budget_agent_ms: int = Field(default=400, gt=0)
    budget_tts_ms: int = Field(default=200, gt=0)
    filler_phrase: str = Field(
        default="One moment.",
        description="Spoken when the agent runs past its budget; empty disables it.",
    )

    # --- preemptive generation (v2 agents) -----------------------------------------------
    preemptive: bool = Field(
        default=True,
        description="Start a streaming (v2) agent's reply while the caller pauses, before "
        "the final transcript; it is spoken only if the final words match. Ignored for v1.",
    )
    preemptive_stable_interims: int = Field(
        default=2,
        ge=2,
        description="The caller is taken to pause when this many interim transcripts in a "
        "row carry the same words.",
    )

    # --- barge-in ---------------------------------------------------------------------
    barge_in_min_confidence: float = Field(default=0.7, ge=0, le=1)
    barge_in_min_words: int = Field(default=2, ge=1)
    barge_in_min_speech_ms: int = Field(default=300, ge=0)
    backchannels: list[str] = Field(
        default=[
            "uh huh",
            "uh-huh",
            "mm hmm",
            "mhm",
            "okay",
            "ok",
            "yeah",
            "yes",
            "right",
            "sure",
            "i see",
            "got it",
            "ah",
            "oh",
            "hmm",
        ],
        description="Short acknowledgements that never interrupt the agent.",
    )

    # --- history sent to the agent -----------------------------------------------------
    history_max_turns: int = Field(default=20, ge=0)
    history_max_tokens: int = Field(default=4000, ge=0)
    history_include_tool_calls: bool = False

    # --- speech clean-up of the agent's reply ------------------------------------------
    speech_urls: Treatment = "mask"
    speech_emails: Treatment = "mask"
    speech_phone_numbers: Treatment = "keep"
    speech_max_chars: int = Field(default=400, ge=40)

    def agent_deadline_s(self) -> float:
        if self.agent_timeout_s is not None:
            return self.agent_timeout_s
        return (self.budget_hard_cap_ms - self.budget_stt_ms - self.budget_tts_ms) / 1000
