"""The OpenAI fake as its own process, for scenarios that run the LLM agent.

A process of its own (``python -m parley_devstack.fakes.openai``), so that its pacing of
tokens does not compete with the simulated caller's frame pacing for one interpreter.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from parley_devstack.ports import free_port

API_KEY = "bench-key"
MODEL = "bench-model"


@dataclass(frozen=True)
class FakeModel:
    """How the fake answers: after `first_token_ms`, `reply` at `tokens_per_s`."""

    first_token_ms: int
    tokens_per_s: float
    reply: str

    def script(self) -> dict[str, object]:
        # An empty phrase is part of every user message: the rule answers them all.
        return {"default": self.reply, "rules": [{"user": "", "reply": self.reply}]}


@dataclass(frozen=True)
class RunningFake:
    base_url: str

    def agent_env(self) -> dict[str, str]:
        """What the LLM agent needs to talk to this fake."""
        return {
            "PARLEY_AGENT": "llm",
            "PARLEY_LLM_BASE_URL": self.base_url,
            "PARLEY_LLM_MODEL": MODEL,
            "PARLEY_LLM_API_KEY": API_KEY,
        }

    def requests_answered(self) -> int:
        answered = httpx.get(self.base_url.removesuffix("/v1") + "/_fake/requests", timeout=5)
        return len(answered.json())


@contextlib.contextmanager
def running_fake(model: FakeModel, timeout_s: float = 30.0) -> Iterator[RunningFake]:
    """The fake on a free port until the block ends; ready when it yields."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="parley-llm-fake-") as tmp:
        script = Path(tmp) / "script.json"
        script.write_text(json.dumps(model.script()))
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "parley_devstack.fakes.openai",
                f"--port={port}",
                f"--api-key={API_KEY}",
                f"--script={script}",
                f"--first-token-ms={model.first_token_ms}",
                f"--tokens-per-s={model.tokens_per_s}",
            ],
            stdout=subprocess.DEVNULL,
        )
        try:
            fake = RunningFake(f"http://127.0.0.1:{port}/v1")
            _wait_ready(fake, process, timeout_s)
            yield fake
        finally:
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(5)
            if process.poll() is None:
                process.kill()


def _wait_ready(fake: RunningFake, process: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the OpenAI fake exited at start (code {process.returncode})")
        with contextlib.suppress(httpx.HTTPError):
            fake.requests_answered()
            return
        time.sleep(0.2)
    raise RuntimeError(f"the OpenAI fake did not answer within {timeout_s:.0f} s")
