"""Latency of the local speech engines on their own, without Kafka or the services.

TTS first byte: time from handing piper a sentence to its first mu-law chunk.

STT final transcript: the caller's lines (piper-synthesised, trimmed to their speech)
are fed to pocketsphinx as 20 ms frames followed by silence. The latency of a final
transcript is the silence the endpointer waits for (audio time, counted in frames after
the last speech frame) plus the time the recogniser spends on the frame that yields the
final. That is the latency on a live call as long as the recogniser keeps up with real
time, which the reported real-time factor (decode time / audio time) shows.

    .venv/bin/python bench/speech_latency.py --rounds 5

Writes bench/results/speech-latency-<date>.json and .md.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from parley_simulator import CallerVoice
from parley_speech import PiperSynthesizer, PocketsphinxRecognizerFactory

from bench.common.engines import recognise
from bench.common.results import ScenarioRun, argument_parser, distribution_table
from bench.common.stats import summarise

AGENT_LINES = [
    "Thanks for calling, how can I help you today?",
    "Sure, I can book that for you.",
    "We are open from nine to five on weekdays.",
    "Your appointment is confirmed for tomorrow at two.",
    "Goodbye.",
]
CALLER_LINES = [
    "I would like to book an appointment",
    "tomorrow at two",
    "what time do you open on monday",
    "are you open on saturday",
    "thank you goodbye",
]


def tts_first_byte_ms(rounds: int) -> list[float]:
    synthesizer = PiperSynthesizer()
    for _ in synthesizer.synthesize_mulaw8k("Warming up."):
        pass
    samples: list[float] = []
    for _ in range(rounds):
        for line in AGENT_LINES:
            started = time.perf_counter()
            chunks = synthesizer.synthesize_mulaw8k(line)
            next(chunks)
            samples.append((time.perf_counter() - started) * 1000)
            for _ in chunks:
                pass
    return samples


def stt_final_latency(rounds: int) -> dict[str, Any]:
    voice = CallerVoice()
    utterances = {line: voice.say(line) for line in CALLER_LINES}
    factory = PocketsphinxRecognizerFactory()
    runs = [recognise(factory, frames) for _ in range(rounds) for frames in utterances.values()]
    done = [r for r in runs if r.text is not None]
    decode_ms, audio_ms = sum(r.decode_ms for r in runs), sum(r.audio_ms for r in runs)
    return {
        "final_latency_ms": summarise([r.latency_ms for r in done]),
        "endpoint_wait_ms": summarise([r.endpoint_wait_ms for r in done]),
        "missed_utterances": len(runs) - len(done),
        "real_time_factor": round(decode_ms / audio_ms, 3) if audio_ms else None,
    }


def report_markdown(run: ScenarioRun, summary: dict[str, Any]) -> str:
    stt = summary["stt"]
    rows = {"TTS first byte (piper)": summary["tts_first_byte_ms"]}
    rows["STT final transcript (pocketsphinx)"] = stt["final_latency_ms"]
    rows["of which endpoint silence wait"] = stt["endpoint_wait_ms"]
    return (
        f"# Local speech engine latency ({run.date})\n\n{distribution_table(rows)}\n\n"
        f"STT real-time factor: {stt['real_time_factor']}; "
        f"utterances with no final transcript: {stt['missed_utterances']}.\n\n"
        f"{run.load.sentence()}\n"
    )


def main() -> int:
    parser = argument_parser(__doc__)
    parser.add_argument("--rounds", type=int, default=5, help="passes over every line")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    run = ScenarioRun("speech-latency", args.out)
    tts = summarise(tts_first_byte_ms(args.rounds))
    stt = stt_final_latency(args.rounds)
    summary: dict[str, Any] = {
        **run.finish(),
        "rounds": args.rounds,
        "tts_first_byte_ms": tts,
        "stt": stt,
    }
    run.write(summary, report_markdown(run, summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
