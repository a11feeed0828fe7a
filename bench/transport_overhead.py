"""Transport overhead: what edge + Kafka hops + serialisation add to a turn.

Runs the same caller lines two ways in one run:
- in process: the same engines (pocketsphinx, the demo agent over MCP, piper) called
  directly, no Kafka, no edge, timed stage by stage: end of speech -> final transcript
  (the silence the endpointer waits for, in audio time, plus decoding the final frame:
  what a recogniser keeping up with real time takes on a call), agent reply, first
  synthesised chunk of the first piece the dialogue service would synthesise;
- distributed: simulated calls through the edge and every worker on the real local
  Kafka, measured end of caller speech -> first agent audio at the caller.

Overhead per distributed turn = its latency at the caller - the engines' own time for
that turn: the agent call as dialogue timed it on that turn, recognition as the
in-process run timed it for the same line (median over its rounds), and first synthesis
of the reply that turn actually got, timed in process after the distributed run (median
of three): a line heard differently gets a different answer, whose first piece may take
piper much longer or shorter than the in-process answer's.
What is left is the caller<->edge socket, edge -> Kafka -> stt, stt -> dialogue,
dialogue -> tts, tts -> edge, serialisation, and engines running slower on a busy
machine than alone. Targets: overhead p50 <= 15 ms, p99 <= 40 ms.

    .venv/bin/python bench/transport_overhead.py --turns 20

Writes bench/results/transport-overhead-<date>.json, .md and .png.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from parley_agent.app import build_app
from parley_agent_client import AgentClient, AgentRequest
from parley_devstack.fleet import ServiceFleet
from parley_dialogue.speech_text import SpeechTextCleaner
from parley_simulator import CallerVoice
from parley_speech import PiperSynthesizer, PocketsphinxRecognizerFactory

from bench.common.calls import ScriptedCaller, TurnSample, script_lines
from bench.common.engines import recognise
from bench.common.metrics import histogram_quantiles, scrape
from bench.common.plots import distribution_plot
from bench.common.results import ScenarioRun, argument_parser, distribution_table, targets_verdict
from bench.common.services import running_system
from bench.common.stats import summarise
from tests.support.mcp_agents import serving_mcp

TURNS_PER_CALL = 5
TARGETS_MS = {"median": 15.0, "p99": 40.0}


@dataclass
class EngineTurn:
    """One caller line through the engines alone, milliseconds per stage."""

    line: str
    stt_ms: float
    agent_ms: float
    tts_ms: float

    @property
    def total_ms(self) -> float:
        return self.stt_ms + self.agent_ms + self.tts_ms


async def in_process_turns(lines: list[str]) -> list[EngineTurn]:
    voice, recognizers, synthesizer = (
        CallerVoice(),
        PocketsphinxRecognizerFactory(),
        PiperSynthesizer(),
    )
    frames = {line: voice.say(line) for line in set(lines)}
    for _ in synthesizer.synthesize_mulaw8k("Warming up."):
        pass  # the first synthesis loads the model; the services warm up the same way
    results: list[EngineTurn] = []
    async with serving_mcp(build_app(token="")) as url, AgentClient(url) as agent:
        for number, line in enumerate(lines):
            heard = recognise(recognizers, frames[line], lead_in_frames=25)
            recognised = time.perf_counter()
            session = f"bench-{number // TURNS_PER_CALL}"
            reply = await agent.respond(
                AgentRequest(session_id=session, event="utterance", utterance=heard.text or "")
            )
            replied = time.perf_counter()
            # The first piece the dialogue service would send to synthesis.
            first = next(iter(SpeechTextCleaner().clean(reply.reply).sentences))
            next(iter(synthesizer.synthesize_mulaw8k(first)))
            synthesised = time.perf_counter()
            results.append(
                EngineTurn(
                    line,
                    stt_ms=heard.latency_ms,
                    agent_ms=(replied - recognised) * 1000,
                    tts_ms=(synthesised - replied) * 1000,
                )
            )
    return results


def first_piece_synthesis_ms(replies: set[str], rounds: int = 3) -> dict[str, float]:
    """Piper's time to the first chunk of each reply's first spoken piece, in process."""
    synthesizer, cleaner = PiperSynthesizer(), SpeechTextCleaner()
    for _ in synthesizer.synthesize_mulaw8k("Warming up."):
        pass
    timed: dict[str, float] = {}
    for reply in replies:
        first = next(iter(cleaner.clean(reply).sentences), "")
        samples = []
        for _ in range(rounds):
            started = time.perf_counter()
            chunks = synthesizer.synthesize_mulaw8k(first)
            next(chunks, None)
            samples.append((time.perf_counter() - started) * 1000)
        timed[reply] = statistics.median(samples)
    return timed


async def distributed_turns(fleet: ServiceFleet, lines: list[str]) -> list[TurnSample]:
    caller = ScriptedCaller(fleet)
    samples: list[TurnSample] = []
    for start in range(0, len(lines), TURNS_PER_CALL):
        number = start // TURNS_PER_CALL + 1
        samples += await caller.samples(number, lines[start : start + TURNS_PER_CALL])
    return samples


def _median_per_line(engines: list[EngineTurn], stage: str) -> dict[str, float]:
    lines = {e.line for e in engines}
    return {
        line: statistics.median(getattr(e, f"{stage}_ms") for e in engines if e.line == line)
        for line in lines
    }


def overheads(
    distributed: list[TurnSample], engines: list[EngineTurn], synthesis_ms: dict[str, float]
) -> list[float]:
    """Each answered turn's latency minus the engines' time for it (see the module doc)."""
    stt, tts_per_line = _median_per_line(engines, "stt"), _median_per_line(engines, "tts")
    return [
        turn.latency_ms
        - stt[turn.said]
        - (turn.stages_ms or {}).get("agent", 0.0)
        - synthesis_ms.get(turn.reply or "", tts_per_line[turn.said])
        for turn in distributed
        if turn.latency_ms is not None and turn.said in stt
    ]


def report_markdown(run: ScenarioRun, summary: dict[str, Any]) -> str:
    engines = {f"in process `{s}`": v for s, v in summary["inProcessStagesMs"].items()}
    hops, playback = summary["sttInboundFrameDelay"], summary["playbackStageMs"]
    table = distribution_table(
        {
            "in process: engines only, end of speech → first chunk": summary["inProcessMs"],
            **engines,
            "distributed: end of speech → first audio at caller": summary["distributedMs"],
            "**overhead per turn** (distributed - engines)": summary["overheadMs"],
        }
    )
    return (
        f"# Transport overhead ({run.date})\n\n"
        f"The same {summary['turns']} caller lines through the engines in one process and "
        "through the edge, Kafka and the workers, in one run. Overhead per turn = latency at "
        "the caller - (recognition as timed in process for that line + the agent call as "
        "dialogue timed it on that turn + piper's first chunk of the reply that turn got, "
        "timed in process). In-process recognition is the endpointer's silence wait in "
        "audio time plus decoding the final frame.\n\n"
        f"{table}\n\nOverhead targets (p50 = median): "
        f"{targets_verdict(TARGETS_MS, summary['targetsMet'])}. Difference of medians "
        f"(distributed - in process): {summary['medianDifferenceMs']} ms.\n\n"
        "Two hops measured by the services themselves in the same run: edge receive → stt "
        f"consume per caller frame (stt's `stt_inbound_frame_delay_ms`, bucket bounds, "
        f"{hops['count']} frames) p50 ≤ {hops['p50AtMostMs']} ms, p99 ≤ "
        f"{hops['p99AtMostMs']} ms; first synthesised frame → sent to the caller by the "
        f"edge (the `playback` stage) median {playback.get('median')} ms, p99 "
        f"{playback.get('p99')} ms.\n\n"
        + run.footer(("totals", ""), ("overhead per turn", "per-turn"))
    )


def main() -> int:
    parser = argument_parser(__doc__)
    parser.add_argument("--turns", type=int, default=20)
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    lines, run = script_lines(args.turns), ScenarioRun("transport-overhead", args.out)
    print(f"in process: {len(lines)} turns ...", flush=True)
    engines = asyncio.run(in_process_turns(lines))
    with running_system() as fleet:
        print(f"distributed: {len(lines)} turns ...", flush=True)
        distributed = asyncio.run(distributed_turns(fleet, lines))
        stt_metrics = scrape(fleet.processes["stt"].url)
    inbound = histogram_quantiles(stt_metrics, "stt_inbound_frame_delay_ms")
    print("timing first synthesis of the replies the calls got ...", flush=True)
    synthesis_ms = first_piece_synthesis_ms({t.reply for t in distributed if t.reply})
    per_turn = overheads(distributed, engines, synthesis_ms)
    in_process = [e.total_ms for e in engines]
    at_caller = [t.latency_ms for t in distributed if t.latency_ms is not None]
    overhead, base, dist = summarise(per_turn), summarise(in_process), summarise(at_caller)
    summary: dict[str, Any] = {
        **run.finish(),
        "turns": len(lines),
        "inProcessMs": base,
        "inProcessStagesMs": {
            stage: summarise([getattr(e, f"{stage}_ms") for e in engines])
            for stage in ("stt", "agent", "tts")
        },
        "distributedMs": dist,
        "overheadMs": overhead,
        "targetsMs": TARGETS_MS,
        "targetsMet": {q: overhead.get(q, float("inf")) <= ms for q, ms in TARGETS_MS.items()},
        "medianDifferenceMs": round(dist.get("median", 0) - base.get("median", 0), 1),
        "sttInboundFrameDelay": inbound,
        "playbackStageMs": summarise(
            [ms for t in distributed for s, ms in (t.stages_ms or {}).items() if s == "playback"]
        ),
        "inProcessSamples": [asdict(e) for e in engines],
        "distributedSamples": [t.to_json() for t in distributed],
    }
    distribution_plot(
        run.png(),
        f"End of speech → first audio, in process vs distributed ({run.date})",
        {"in process (engines only)": in_process, "distributed (at the caller)": at_caller},
    )
    distribution_plot(
        run.png("per-turn"),
        f"Transport overhead per turn, engines' time subtracted ({run.date})",
        {"overhead": per_turn},
    )
    run.write(summary, report_markdown(run, summary))
    return 0 if per_turn else 1


if __name__ == "__main__":
    sys.exit(main())
