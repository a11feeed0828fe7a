"""Accuracy and cost of the offline recognisers on human speech over a phone line.

The human recordings are Debian's pocketsphinx-testdata (`apt-get install
pocketsphinx-testdata`): five LibriVox audiobook sentences, five spoken card names and
"go forward ten meters", 16 kHz, each with its reference transcript. Every clip goes
through what a call's audio goes through: resampled to 8 kHz, mu-law, 20 ms frames
(trimmed to its speech, 0.5 s of silence before, 1.5 s after), streamed in real time to
the engine through the provider interface the stt service uses, one stream per clip.
The caller lines of the other benchmarks (piper's voice) are measured the same way.

Each engine runs in a process of its own, which gives its CPU time (all threads) per
second of audio fed, and its peak memory. Latency is from the clip's last frame being
sent to its final transcript arriving. Word error rate is over words, lower-cased and
without punctuation (Whisper writes "Mr." for "mister": that counts as an error).

    .venv/bin/python bench/recogniser_accuracy.py
    .venv/bin/python bench/recogniser_accuracy.py --engines pocketsphinx whisper

Writes bench/results/recogniser-accuracy-<date>.json and .md.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import jiwer
import numpy as np
import psutil
from parley_audio import silence_frame, split_frames
from parley_audio.codec import mulaw_encode
from parley_audio.resample import resample
from parley_simulator import CallerVoice
from parley_simulator.caller_audio import trim_silence
from parley_speech import (
    EndpointingConfig,
    FinalTranscript,
    LocalRecognizer,
    RecognizerEvent,
    SpeechRecognizer,
)
from parley_speech.speech_endpointer import telephone_to_model_rate
from parley_speech.whisper import (
    Decoded,
    DecodePool,
    WhisperDecoder,
    WhisperRecognizer,
    WhisperSettings,
    shared_model,
)

from bench.common.results import ScenarioRun, argument_parser, markdown_table
from bench.common.stats import summarise

CORPUS = Path("/usr/share/pocketsphinx/test/data")
LEAD_IN_FRAMES = 25
TRAILING_FRAMES = 75
CALLER_LINES = [
    "I would like to book an appointment",
    "tomorrow at two",
    "what time do you open on monday",
    "are you open on saturday",
    "thank you goodbye",
]
# name -> Whisper settings (None: pocketsphinx)
ENGINES: dict[str, dict[str, int] | None] = {
    "pocketsphinx": None,
    "whisper": {},
    "whisper, no speculative decode": {},
    "whisper, interims every 1 s": {"interim_interval_ms": 1000},
}
ENDPOINTING = {"whisper, no speculative decode": EndpointingConfig(pause_ms=0)}


@dataclass(frozen=True)
class Clip:
    name: str
    kind: str
    """human or piper"""
    frames: list[bytes]
    reference: str


def words(text: str) -> str:
    return " ".join(re.findall(r"[a-z']+", text.lower()))


def _phone_frames(pcm: np.ndarray[Any, np.dtype[np.int16]], rate: int) -> list[bytes]:
    return trim_silence(split_frames(mulaw_encode(resample(pcm, rate, 8000))))


def _transcripts(listing: Path) -> list[tuple[str, str]]:
    """``<s> words </s> (utterance id)`` lines."""
    found = re.findall(r"<s>(.*?)</s>\s*\((.*?)\)", listing.read_text())
    return [(name.strip(), text.strip()) for text, name in found]


def human_clips() -> list[Clip]:
    clips = []
    for folder, listing in (("librivox", "transcription"), ("cards", "cards.transcription")):
        for name, text in _transcripts(CORPUS / folder / listing):
            frames = CallerVoice.from_wav(CORPUS / folder / f"{name}.wav")
            clips.append(Clip(f"{folder}/{name}", "human", frames, text))
    raw = np.frombuffer((CORPUS / "goforward.raw").read_bytes(), dtype="<i2")
    clips.append(Clip("goforward", "human", _phone_frames(raw, 16000), "go forward ten meters"))
    return clips


def piper_clips() -> list[Clip]:
    voice = CallerVoice()
    return [Clip(line, "piper", voice.say(line), line) for line in CALLER_LINES]


class CountingDecode:
    """The real decoder, counting its decodes."""

    def __init__(self, settings: WhisperSettings) -> None:
        self.decoder = WhisperDecoder(shared_model(settings.model_shape()))
        self.decoder.warm_up()
        self.count = 0

    def __call__(self, pcm: bytes) -> Decoded:
        self.count += 1
        return self.decoder.decode(pcm)

    def cpu_ms_per_decode(self, clips: list[Clip]) -> dict[str, float]:
        """Each clip decoded whole, one at a time, nothing else running in the process:
        the CPU time (the decoder's own threads included) one decode costs."""
        costs = []
        for clip in clips:
            pcm = telephone_to_model_rate(b"".join(clip.frames)).astype("<i2").tobytes()
            started = time.process_time()
            self.decoder.decode(pcm)
            costs.append((time.process_time() - started) * 1000)
        return summarise(costs)


async def recognise_clip(
    recognizer: SpeechRecognizer, endpointing: EndpointingConfig, clip: Clip
) -> tuple[str, float | None]:
    """Streams the clip in real time; its text and ms from its last frame to its final."""
    stream = await recognizer.open(endpointing)
    arrivals: list[tuple[float, RecognizerEvent]] = []

    async def collect() -> None:
        async for event in stream.events():
            arrivals.append((time.perf_counter(), event))

    collector = asyncio.create_task(collect())
    frames = [silence_frame()] * LEAD_IN_FRAMES + clip.frames
    frames += [silence_frame()] * TRAILING_FRAMES
    speech_end = 0.0
    started = time.perf_counter()
    for index, frame in enumerate(frames):
        await stream.send(frame)
        if index == LEAD_IN_FRAMES + len(clip.frames) - 1:
            speech_end = time.perf_counter()
        await asyncio.sleep(max(0.0, started + (index + 1) * 0.02 - time.perf_counter()))
    await stream.finish()
    await asyncio.wait_for(collector, timeout=30)
    await stream.close()
    finals = [(at, e) for at, e in arrivals if isinstance(e, FinalTranscript)]
    text = " ".join(e.text for _, e in finals)
    latency = (finals[-1][0] - speech_end) * 1000 if finals else None
    return text, latency


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited from
    the parent across exec)."""
    status = Path("/proc/self/status").read_text()
    kilobytes = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return round(int(kilobytes.group(1)) / 1024, 1) if kilobytes else float("nan")


def rss_mb() -> float:
    rss: int = psutil.Process().memory_info().rss
    return round(rss / 2**20, 1)


async def measure_engine(engine: str, clips: list[Clip]) -> dict[str, Any]:
    settings = ENGINES[engine]
    endpointing = ENDPOINTING.get(engine, EndpointingConfig())
    decodes: CountingDecode | None = None
    recognizer: SpeechRecognizer
    if settings is None:
        recognizer = LocalRecognizer()
    else:
        whisper_settings = WhisperSettings(**settings)
        counting = decodes = CountingDecode(whisper_settings)
        pool = DecodePool(lambda: counting, whisper_settings.decoders)
        recognizer = WhisperRecognizer(whisper_settings, pool)
    warm = await recognizer.open(EndpointingConfig())
    await warm.close()
    decode_cpu = decodes.cpu_ms_per_decode(clips) if decodes is not None else None
    loaded_rss = rss_mb()
    cpu_started = time.process_time()
    results = []
    for clip in clips:
        text, latency = await recognise_clip(recognizer, endpointing, clip)
        results.append({"clip": clip.name, "kind": clip.kind, "heard": text, "latencyMs": latency})
    cpu_s = time.process_time() - cpu_started
    await recognizer.aclose()
    audio_s = sum(len(c.frames) + LEAD_IN_FRAMES + TRAILING_FRAMES for c in clips) * 0.02
    return {
        "engine": engine,
        "settings": settings,
        "clips": results,
        "cpuSecondsPerAudioSecond": round(cpu_s / audio_s, 3),
        "audioSeconds": round(audio_s, 1),
        "rssAfterLoadMb": loaded_rss,
        "rssAfterRunMb": rss_mb(),
        "peakRssMb": peak_rss_mb(),
        "decodes": decodes.count if decodes is not None else None,
        "decodeCpuMs": decode_cpu,
    }


def run_engine(engine: str, clips: list[Clip]) -> dict[str, Any]:
    return asyncio.run(measure_engine(engine, clips))


def baseline_rss() -> float:
    """A process with the same imports and no engine loaded."""
    return rss_mb()


def scores(result: dict[str, Any], clips: list[Clip], kind: str) -> dict[str, Any]:
    chosen = [(c, r) for c, r in zip(clips, result["clips"], strict=True) if c.kind == kind]
    references = [words(c.reference) for c, _ in chosen]
    heard = [words(r["heard"]) for _, r in chosen]
    latencies = [r["latencyMs"] for _, r in chosen if r["latencyMs"] is not None]
    return {
        "wer": round(jiwer.wer(references, heard), 3),
        "finalLatencyMs": summarise(latencies),
        "missed": sum(1 for h in heard if not h),
    }


def report_markdown(run: ScenarioRun, summary: dict[str, Any]) -> str:
    rows: list[list[object]] = []
    for result in summary["engines"]:
        human, piper = result["scores"]["human"], result["scores"]["piper"]
        rows.append(
            [
                result["engine"],
                human["wer"],
                piper["wer"],
                result["cpuSecondsPerAudioSecond"],
                human["finalLatencyMs"].get("median"),
                human["finalLatencyMs"].get("p95"),
                result["rssAfterLoadMb"],
                result["peakRssMb"],
                result["decodes"],
                (result["decodeCpuMs"] or {}).get("median"),
            ]
        )
    header = [
        "engine",
        "WER human",
        "WER piper",
        "CPU s / audio s",
        "final after speech, median ms",
        "p95 ms",
        "RSS loaded MB",
        "peak RSS MB",
        "decodes",
        "CPU ms per decode, median (alone)",
    ]
    heard = "\n".join(
        f"- {result['engine']} / {clip['clip']}: {clip['heard']!r}"
        for result in summary["engines"]
        for clip in result["clips"]
        if clip["kind"] == "human"
    )
    return (
        f"# Offline recognisers on phone-line speech ({run.date})\n\n"
        f"{summary['humanClips']} human clips (pocketsphinx-testdata), "
        f"{summary['piperClips']} piper lines, streamed in real time as 8 kHz mu-law. "
        f"A process with the same imports and no engine holds {summary['baselineRssMb']} MB."
        f" Whisper decodes count every decode, speculative and interim ones included "
        f"({summary['utterances']} utterances per engine); the CPU per decode is each clip "
        "decoded whole, one at a time, before the streaming run. Latency is wall-clock "
        "time and so depends on the machine's load (below).\n\n"
        f"{markdown_table(header, rows)}\n\n## What was heard\n\n{heard}\n\n"
        f"{run.load.sentence()}\n"
    )


def main() -> int:
    parser = argument_parser(__doc__)
    parser.add_argument("--engines", nargs="+", choices=sorted(ENGINES), default=list(ENGINES))
    args = parser.parse_args()
    if not CORPUS.is_dir():
        parser.error(f"{CORPUS} is missing: apt-get install pocketsphinx-testdata")
    run = ScenarioRun("recogniser-accuracy", args.out)
    clips = human_clips() + piper_clips()
    context = multiprocessing.get_context("spawn")
    results = []
    for engine in args.engines:
        with context.Pool(1) as pool:
            result = pool.apply(run_engine, (engine, clips))
        result["scores"] = {kind: scores(result, clips, kind) for kind in ("human", "piper")}
        results.append(result)
    with context.Pool(1) as pool:
        baseline = pool.apply(baseline_rss)
    summary: dict[str, Any] = {
        **run.finish(),
        "humanClips": sum(1 for c in clips if c.kind == "human"),
        "piperClips": sum(1 for c in clips if c.kind == "piper"),
        "utterances": len(clips),
        "baselineRssMb": baseline,
        "engines": results,
    }
    run.write(summary, report_markdown(run, summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
