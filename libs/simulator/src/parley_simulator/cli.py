"""``parley call``: place a simulated phone call against a running Parley."""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import sys
from pathlib import Path

import httpx
import orjson
from parley_audio.wav import write_mulaw8k_as_wav

from parley_simulator.call import CallerTurn, CallOptions, place_call
from parley_simulator.caller_audio import CallerVoice
from parley_simulator.report import CallReport
from parley_simulator.webhook import CallRejectedError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="parley", description="Parley developer tools")
    commands = parser.add_subparsers(dest="command", required=True)
    call = commands.add_parser("call", help="place a simulated Twilio call against the edge")
    call.add_argument(
        "--say", action="append", default=[], help="a caller line (repeat for more turns)"
    )
    call.add_argument(
        "--wav", action="append", default=[], type=Path, help="a caller turn from a WAV file"
    )
    call.add_argument("--out", type=Path, help="write what the caller heard to this WAV file")
    call.add_argument("--json", action="store_true", help="print a JSON report instead of text")
    call.add_argument(
        "--edge-url", default=os.environ.get("PARLEY_PUBLIC_URL", "http://127.0.0.1:8080")
    )
    call.add_argument(
        "--janitor-url", default=os.environ.get("PARLEY_JANITOR_URL", "http://127.0.0.1:8084")
    )
    call.add_argument(
        "--janitor-api-key",
        default=_janitor_api_key(),
        help="a session API key with the read scope, to show what the janitor recorded"
        " (default: PARLEY_API_KEY, else the one `make run` keeps in .stack/stack.env)",
    )
    call.add_argument("--auth-token", default=os.environ.get("TWILIO_AUTH_TOKEN", "dev-auth-token"))
    call.add_argument(
        "--reply-timeout", type=float, default=30.0, help="seconds to wait for each reply"
    )
    return parser


def _janitor_api_key() -> str | None:
    """PARLEY_API_KEY, else the key of the janitor `make run` started (its stack.env)."""
    if key := os.environ.get("PARLEY_API_KEY"):
        return key
    stack_env = Path(os.environ.get("PARLEY_STACK_DIR", ".stack")) / "stack.env"
    if not stack_env.is_file():
        return None
    for line in stack_env.read_text().splitlines():
        name, _, value = line.partition("=")
        if name == "PARLEY_API_KEY":
            return "".join(shlex.split(value))
    return None


def _print_text(report: CallReport) -> None:
    print(f"call {report.call_sid}  session {report.session_id}")
    print(f"  greeting: {len(report.greeting_audio) / 8000:.1f} s of agent audio")
    for number, turn in enumerate(report.turns, start=1):
        latency = "no reply audio" if turn.latency_ms is None else f"{turn.latency_ms:.0f} ms"
        print(f"  turn {number}")
        print(f"    caller said : {turn.script}")
        print(f"    heard as    : {turn.transcript if turn.transcript is not None else '?'}")
        print(f"    agent       : {turn.reply if turn.reply is not None else '?'}")
        print(f"    latency     : {latency} (end of caller speech -> first agent audio)")
        if turn.stages:
            print(f"    waterfall   : {waterfall(turn.stages)}")
    if report.cut is not None:
        print(f"  call cut {report.cut.describe()}")
    else:
        print(f"  call ended by the {report.ended_by}")
    if report.status_callback_error:
        print(f"  status callback failed: {report.status_callback_error}")


STAGE_ORDER = ("stt", "agent", "tts", "playback")


def waterfall(stages: dict[str, float]) -> str:
    """`stt 512 ms | agent 6 ms | ...` in pipeline order, as measured inside Parley."""
    names = [s for s in STAGE_ORDER if s in stages] + sorted(set(stages) - set(STAGE_ORDER))
    parts = [f"{name} {stages[name]:.0f} ms" for name in names]
    return " | ".join(parts) + f"  = {sum(stages.values()):.0f} ms"


def _turns(args: argparse.Namespace) -> list[CallerTurn]:
    voice = CallerVoice()
    turns = [CallerTurn(script=line, frames=voice.say(line)) for line in args.say]
    turns += [CallerTurn(script=str(path), frames=CallerVoice.from_wav(path)) for path in args.wav]
    return turns


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    turns = _turns(args)
    if not turns:
        print("parley call: give at least one --say or --wav", file=sys.stderr)
        return 2
    options = CallOptions(
        turns=turns,
        edge_url=args.edge_url,
        janitor_url=args.janitor_url,
        janitor_api_key=args.janitor_api_key,
        auth_token=args.auth_token,
        reply_timeout_s=args.reply_timeout,
    )
    try:
        report = asyncio.run(place_call(options))
    except CallRejectedError as exc:
        print(f"parley call: {exc}", file=sys.stderr)
        return 1
    except (OSError, TimeoutError, httpx.HTTPError) as exc:
        print(
            f"parley call: {exc or type(exc).__name__} (is Parley running? try `make run`)",
            file=sys.stderr,
        )
        return 1
    if args.out:
        write_mulaw8k_as_wav(args.out, report.heard)
    if args.json:
        print(orjson.dumps(report.to_json(), option=orjson.OPT_INDENT_2).decode())
    else:
        _print_text(report)
        if args.out:
            print(f"  agent audio written to {args.out}")
    if report.cut is not None:
        print(f"parley call: the call was cut {report.cut.describe()}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
