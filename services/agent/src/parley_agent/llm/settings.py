"""The LLM agent's settings, all from the environment (or ``.env``): which endpoint and
model, how long to wait, which MCP tool servers to offer the model, what to say when the
model cannot answer."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_PROMPT = Path(__file__).parent / "phone_agent_prompt.txt"


class LlmConfigError(ValueError):
    """A setting the LLM agent cannot work with; the message names the variable."""


class LlmSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PARLEY_LLM_", env_file=".env", extra="ignore", populate_by_name=True
    )

    base_url: str = Field(
        default="https://api.openai.com/v1",
        validation_alias=AliasChoices("PARLEY_LLM_BASE_URL", "OPENAI_BASE_URL", "base_url"),
        description="Any OpenAI-compatible Chat Completions endpoint (OpenAI, vLLM, Ollama...).",
    )
    model: str = "gpt-4o-mini"
    api_key: SecretStr = Field(
        default=SecretStr(""),
        validation_alias=AliasChoices("PARLEY_LLM_API_KEY", "OPENAI_API_KEY", "api_key"),
        description="Sent as `Authorization: Bearer`; empty for endpoints that need none.",
    )
    temperature: float = Field(default=0.4, ge=0, le=2)
    max_tokens: int = Field(default=200, ge=1, description="Per model call: replies are spoken.")
    timeout_s: float = Field(default=10.0, gt=0, description="Per model call, streaming included.")
    stream_idle_s: float = Field(
        default=4.0,
        gt=0,
        description="The longest pause in a model's stream before it counts "
        "as stalled (and before its first chunk).",
    )
    retry_after_max_s: float = Field(
        default=2.0,
        ge=0,
        description="The longest a rate-limited call waits (Retry-After) before its one retry.",
    )
    system_prompt_file: Path | None = Field(
        default=None, description="The system prompt; empty: the phone-agent prompt shipped here."
    )
    tool_servers: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description="MCP tool servers (streamable HTTP), comma-separated, each `url` or "
        "`name=url`; their tools are offered to the model.",
    )
    tool_timeout_s: float = Field(default=3.0, gt=0, description="Per tool call.")
    max_tool_rounds: int = Field(
        default=3,
        ge=0,
        description="Model calls that may ask for tools in one turn; the next one must answer.",
    )
    transfer_numbers: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description="Where transfer_call may send a caller (comma-separated); empty: any "
        "phone number or SIP address the model gives.",
    )
    fallback_reply: str = "I'm sorry, I'm having trouble right now. Please try again in a moment."

    @field_validator("tool_servers", "transfer_numbers", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    def system_prompt(self) -> str:
        path = self.system_prompt_file or DEFAULT_PROMPT
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise LlmConfigError(
                f"cannot read the system prompt {path} ({exc.strerror}); "
                "fix PARLEY_LLM_SYSTEM_PROMPT_FILE or leave it empty for the default"
            ) from exc
