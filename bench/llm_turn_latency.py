"""LLM agent turn latency: end of caller speech -> first agent audio, blocking vs streaming.

Runs the whole system three times against one OpenAI fake (the same time to first
token, token rate and three-sentence reply every time), with the LLM agent as the brain:

- blocking: ``PARLEY_DIALOGUE_AGENT_STREAMING=false``, the agent called as v1 (one call,
  the whole reply before anything is spoken);
- streaming: contract v2, each sentence spoken once complete, no preemptive generation;
- preemptive: v2 and preemptive generation (the reply started while the caller pauses).

Per mode it places the same scripted calls and reports the distribution of end of
speech -> first agent audio at the simulated caller, Parley's stages, and how often a
preemptive reply was started and used (dialogue's ``dialogue_preemptive_replies_total``).
The filler phrase is off so that the first audio is the reply itself. Targets:
streaming's median within time to first token + 250 ms beyond the endpointing delay
(the stt stage's median in the same run), and preemptive's median at least 200 ms below
streaming's.

    .venv/bin/python bench/llm_turn_latency.py --calls 2 --turns 3

Writes bench/results/llm-turn-latency-<date>.json, .md and .png.
"""

from __future__ import annotations

import asyncio
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from prometheus_client.parser import text_string_to_metric_families

from bench.common.calls import TurnSample
from bench.common.llm_fake import FakeModel, RunningFake, running_fake
from bench.common.metrics import scrape
from bench.common.plots import distribution_plot
from bench.common.results import ScenarioRun, argument_parser, distribution_table
from bench.common.services import running_system
from bench.common.stats import summarise
from bench.turn_latency import run_calls, stage_series

FAKE = FakeModel(
    first_token_ms=400,
    tokens_per_s=40.0,
    reply=(
        "Thanks for calling, I can help you with that. "
        "We are open from nine in the morning to five in the evening on weekdays. "
        "Is there anything else I can do for you today?"
    ),
)
STREAMING_SLACK_MS = 250.0
PREEMPTIVE_GAIN_MS = 200.0
AGENT_TIMEOUT_S = "3"
PREEMPTIVE_METRIC = "dialogue_preemptive_replies"


@dataclass(frozen=True)
class Mode:
    name: str
    description: str
    env: dict[str, str]


MODES = (
    Mode(
        "blocking",
        "v1 call, whole reply",
        {"PARLEY_DIALOGUE_AGENT_STREAMING": "false", "PARLEY_DIALOGUE_PREEMPTIVE": "false"},
    ),
    Mode(
        "streaming",
        "contract v2",
        {"PARLEY_DIALOGUE_AGENT_STREAMING": "true", "PARLEY_DIALOGUE_PREEMPTIVE": "false"},
    ),
    Mode(
        "preemptive",
        "v2 + preemptive generation",
        {"PARLEY_DIALOGUE_AGENT_STREAMING": "true", "PARLEY_DIALOGUE_PREEMPTIVE": "true"},
    ),
)


def preemptive_outcomes(metrics_text: str) -> dict[str, int]:
    """``dialogue_preemptive_replies_total`` by outcome (started, used, discarded)."""
    return {
        sample.labels["outcome"]: int(sample.value)
        for family in text_string_to_metric_families(metrics_text)
        if family.name == PREEMPTIVE_METRIC
        for sample in family.samples
        if sample.name == f"{PREEMPTIVE_METRIC}_total"
    }


def run_mode(mode: Mode, fake: RunningFake, calls: int, turns: int) -> dict[str, Any]:
    env = {
        **fake.agent_env(),
        **mode.env,
        "PARLEY_DIALOGUE_AGENT_TIMEOUT_S": AGENT_TIMEOUT_S,
        "PARLEY_DIALOGUE_FILLER_PHRASE": "",
    }
    print(f"[{mode.name}] {mode.description}", flush=True)
    asked_before = fake.requests_answered()
    with running_system(env) as fleet:
        print(f"[{mode.name}] placing {calls} calls of {turns} turns ...", flush=True)
        samples: list[TurnSample] = asyncio.run(run_calls(fleet, calls, turns))
        preemptive = preemptive_outcomes(scrape(fleet.processes["dialogue"].url))
    latencies = [t.latency_ms for t in samples if t.latency_ms is not None]
    stages = stage_series(samples)
    return {
        "description": mode.description,
        "settings": mode.env,
        "turns": len(samples),
        "unanswered": len(samples) - len(latencies),
        "endOfSpeechToFirstAudioMs": summarise(latencies),
        "stagesMs": {stage: summarise(values) for stage, values in stages.items()},
        "preemptiveReplies": preemptive,
        "modelRequests": fake.requests_answered() - asked_before,
        "latenciesMs": [round(v, 1) for v in latencies],
        "samples": [t.to_json() for t in samples],
    }


def verdict(modes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The two targets, on medians; the endpointing delay is the streaming run's stt stage."""
    streaming = modes["streaming"]["endOfSpeechToFirstAudioMs"]
    preemptive = modes["preemptive"]["endOfSpeechToFirstAudioMs"]
    endpointing = modes["streaming"]["stagesMs"].get("stt", {}).get("median")
    limit = None if endpointing is None else endpointing + FAKE.first_token_ms + STREAMING_SLACK_MS
    gain = None
    if "median" in streaming and "median" in preemptive:
        gain = round(streaming["median"] - preemptive["median"], 1)
    # A gain with no preemptive reply used is run-to-run noise, not preemption's doing.
    used = modes["preemptive"]["preemptiveReplies"].get("used", 0)
    return {
        "endpointingDelayMs": endpointing,
        "streamingLimitMs": limit,
        "streamingMet": limit is not None and streaming.get("median", float("inf")) <= limit,
        "preemptiveGainMs": gain,
        "preemptiveUsed": used,
        "preemptiveMet": used > 0 and gain is not None and gain >= PREEMPTIVE_GAIN_MS,
    }


def met(ok: bool) -> str:
    return "met" if ok else "not met"


def report_markdown(run: ScenarioRun, summary: dict[str, Any]) -> str:
    modes, targets = summary["modes"], summary["targets"]
    rows = {
        f"{name} ({mode['description']}): end of speech → first audio": mode[
            "endOfSpeechToFirstAudioMs"
        ]
        for name, mode in modes.items()
    }
    for name, mode in modes.items():
        rows |= {f"{name}: stage `{s}`": v for s, v in mode["stagesMs"].items()}
    preempted = "; ".join(
        f"{name}: {mode['preemptiveReplies'] or 'none'} ({mode['modelRequests']} model requests)"
        for name, mode in modes.items()
    )
    return (
        f"# LLM agent turn latency, blocking vs streaming vs preemptive ({run.date})\n\n"
        f"Three runs of the whole system, {summary['calls']} calls of {summary['turnsPerCall']} "
        "turns, the LLM agent against the OpenAI fake: "
        f"{FAKE.first_token_ms} ms to first token, {FAKE.tokens_per_s:g} tokens/s, a "
        "three-sentence reply to every message. The filler phrase is off; the agent "
        f"deadline is {AGENT_TIMEOUT_S} s. Totals are measured at the simulated caller; "
        "stages are Parley's own marks.\n\n"
        f"{distribution_table(rows)}\n\n"
        f"Fake's time to first token: {FAKE.first_token_ms} ms. Endpointing delay (stt "
        f"stage median, streaming run): {targets['endpointingDelayMs']} ms.\n\n"
        f"- streaming median ≤ time to first token + {STREAMING_SLACK_MS:.0f} ms beyond the "
        f"endpointing delay ({targets['streamingLimitMs']} ms): "
        f"**{met(targets['streamingMet'])}** "
        f"({modes['streaming']['endOfSpeechToFirstAudioMs'].get('median')} ms)\n"
        f"- preemptive median at least {PREEMPTIVE_GAIN_MS:.0f} ms below streaming's: "
        f"**{met(targets['preemptiveMet'])}** (gain {targets['preemptiveGainMs']} ms, "
        f"{targets['preemptiveUsed']} preemptive replies used; with none used it cannot "
        "be met)\n\n"
        f"Preemptive replies (dialogue_preemptive_replies_total by outcome): {preempted}. "
        "Preemption starts on a paused interim (the caller went quiet) or two identical "
        "interim transcripts in a row; a run where "
        "it was never used measures streaming alone.\n\n"
        + run.footer(("end of speech to first audio per mode", ""))
    )


def main() -> int:
    parser = argument_parser(__doc__)
    parser.add_argument("--calls", type=int, default=2)
    parser.add_argument("--turns", type=int, default=3, help="caller turns per call")
    args = parser.parse_args()
    started, run = time.monotonic(), ScenarioRun("llm-turn-latency", args.out)
    with running_fake(FAKE) as fake:
        modes = {mode.name: run_mode(mode, fake, args.calls, args.turns) for mode in MODES}
    summary = {
        **run.finish(),
        "calls": args.calls,
        "turnsPerCall": args.turns,
        "fake": {
            "firstTokenMs": FAKE.first_token_ms,
            "tokensPerS": FAKE.tokens_per_s,
            "reply": FAKE.reply,
        },
        "modes": modes,
        "targets": verdict(modes),
        "durationS": round(time.monotonic() - started, 1),
    }
    title = f"LLM agent: end of speech → first audio ({run.date})"
    series = {name: mode.pop("latenciesMs") for name, mode in modes.items()}
    distribution_plot(run.png(), title, series)
    run.write(summary, report_markdown(run, summary))
    return 0 if all(m["endOfSpeechToFirstAudioMs"]["count"] for m in modes.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
