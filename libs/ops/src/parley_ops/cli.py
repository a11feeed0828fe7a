"""``parley``: developer and operator commands.

    parley call --say "..."            place a simulated Twilio call (see parley_simulator)
    parley topics [--describe|--create] the topics on the broker: partitions, messages, lag
    parley inspect TOPIC... [--session ID] [--follow] [--from-beginning] [--json] [--frames]
    parley replay SESSION              re-run a recorded call's audio through stt/dialogue/tts

Kafka is found through KAFKA_BOOTSTRAP_SERVERS, else the stack `make run` started
(.stack/stack.env), else 127.0.0.1:9092; the other KAFKA_* settings (security protocol,
SASL credentials, CA file) are read from the same place, as the services read them, and
so are PARLEY_SESSIONS_ENCRYPTION_KEYS: `parley inspect` opens sealed transcripts and
replies with them, and shows `<encrypted>` where it lacks the key. It folds audio frames
into one line per run of consecutive frames (see parley_ops.runs); --frames shows each.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

import orjson
from parley_bus import KafkaAccessError, KafkaConnection, KafkaSettings, KafkaUnreachableError
from parley_contracts import ALL_TOPICS, AUDIO_OUT
from parley_simulator import cli as simulator_cli
from pydantic import ValidationError

from parley_ops.reading import UnknownTopicError, read_topics, resolve_topics
from parley_ops.records import TopicRecord, decode_record
from parley_ops.replay import NothingToReplayError, replay_call
from parley_ops.runs import RunSummariser
from parley_ops.topics import describe_topics, format_topics


def kafka_connection(bootstrap: str | None = None) -> KafkaConnection:
    """The KAFKA_* settings of the environment, or else of the running stack's
    stack.env; ``bootstrap`` (--bootstrap) names other servers."""
    stack_env = Path(os.environ.get("PARLEY_STACK_DIR", ".stack")) / "stack.env"
    from_stack = not os.environ.get("KAFKA_BOOTSTRAP_SERVERS") and stack_env.is_file()
    env_file = stack_env if from_stack else None
    if bootstrap:
        settings = KafkaSettings(_env_file=env_file, kafka_bootstrap_servers=bootstrap)  # type: ignore[call-arg]
    else:
        settings = KafkaSettings(_env_file=env_file)  # type: ignore[call-arg]
    return settings.kafka_connection()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="parley", description="Parley developer and operator tools"
    )
    parser.add_argument("--bootstrap", default=None, help="Kafka bootstrap servers")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "call", help="place a simulated Twilio call (parley call --help)", add_help=False
    )
    topics = commands.add_parser("topics", help="list Parley's topics with offsets and lag")
    topics.add_argument("--describe", action="store_true", help="one line per partition too")
    topics.add_argument("--create", action="store_true", help="create missing topics first")
    inspect = commands.add_parser("inspect", help="decode messages, e.g. one call's across topics")
    inspect.add_argument("topics", nargs="*", default=["all"], help="topic names, or all")
    inspect.add_argument("--session", help="only this session id (the message key)")
    inspect.add_argument("--follow", action="store_true", help="keep printing new messages")
    inspect.add_argument(
        "--from-beginning",
        action="store_true",
        help="start at the oldest retained message (default with --session or without --follow)",
    )
    inspect.add_argument("--json", action="store_true", help="one JSON object per line")
    inspect.add_argument("--no-audio", action="store_true", help="leave out audio frames")
    inspect.add_argument(
        "--frames",
        action="store_true",
        help="one line per audio frame instead of one per run of consecutive frames",
    )
    replay = commands.add_parser("replay", help="re-run a recorded call's caller audio")
    replay.add_argument("session", help="the recorded call's session id")
    replay.add_argument("--timeout", type=float, default=30.0)
    replay.add_argument("--json", action="store_true", help="print the comparison as JSON")
    replay.add_argument(
        "--edge-slot",
        type=int,
        default=AUDIO_OUT.partitions - 1,
        help="edge slot the replayed call claims (pick one no edge serves)",
    )
    return parser


async def _inspect(args: argparse.Namespace, kafka: KafkaConnection) -> int:
    specs = resolve_topics(args.topics)
    if args.no_audio:
        specs = [s for s in specs if not s.name.startswith("parley.audio")]
    from_beginning = args.from_beginning or not args.follow

    def following() -> None:
        if args.follow:
            names = ", ".join(s.name for s in specs)
            start = "the oldest retained message" if from_beginning else "now"
            print(f"following {names} from {start}; Ctrl-C stops", file=sys.stderr, flush=True)

    messages = read_topics(
        kafka,
        specs,
        session=args.session,
        from_beginning=from_beginning,
        follow=args.follow,
        on_positioned=following,
    )
    runs = None if args.frames else RunSummariser()

    def show(record: TopicRecord) -> None:
        for shown in [record] if runs is None else runs.push(record):
            _print_record(shown, args.json)

    try:
        if args.session and not args.follow:
            # One call across topics: Kafka orders only within a partition, so print the
            # call's messages merged by their timestamps.
            records = [decode_record(m) async for m in messages]
            for record in sorted(records, key=lambda r: r.timestamp_ms):
                show(record)
        else:
            async for message in messages:
                show(decode_record(message))
    finally:  # also on Ctrl-C under --follow: the runs still open are printed
        for shown in runs.flush() if runs is not None else []:
            _print_record(shown, args.json)
    return 0


def _print_record(record: TopicRecord, as_json: bool) -> None:
    if as_json:
        print(orjson.dumps(record.as_json()).decode(), flush=True)
    else:
        print(record.as_line(), flush=True)


async def _topics(args: argparse.Namespace, kafka: KafkaConnection) -> int:
    if args.create:
        from parley_devstack.retention import TopicRetentionSettings
        from parley_devstack.topics import create_topics

        retention = TopicRetentionSettings().by_class()
        created = await create_topics(kafka, ALL_TOPICS, retention=retention)
        print(f"created {len(created)} topics: {', '.join(created) or '-'}")
    states = await describe_topics(kafka, list(ALL_TOPICS))
    print("\n".join(format_topics(states, args.describe)))
    return 0 if all(s.exists for s in states) else 1


async def _replay(args: argparse.Namespace, kafka: KafkaConnection) -> int:
    result = await replay_call(kafka, args.session, args.edge_slot, args.timeout)
    if args.json:
        summary = {
            "originalSession": result.original_session,
            "replaySession": result.replay_session,
            "frames": result.frames,
            "original": result.original,
            "replayed": result.replayed,
            "identical": result.identical,
        }
        print(orjson.dumps(summary).decode())
        return 0 if result.identical else 3
    print(
        f"replayed {result.frames} frames of {result.original_session} as {result.replay_session}"
    )
    for number, (before, now) in enumerate(
        zip(result.original, result.replayed + [""] * len(result.original), strict=False), 1
    ):
        mark = "=" if before == now else "!"
        print(f"  {mark} utterance {number}: then {before!r}  now {now!r}")
    for extra in result.replayed[len(result.original) :]:
        print(f"  + new utterance: {extra!r}")
    print("same transcripts" if result.identical else "transcripts differ")
    return 0 if result.identical else 3


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["call"]:
        return simulator_cli.main(argv)
    args = _parser().parse_args(argv)
    # aiokafka logs each failed connection attempt; the command reports the outcome itself.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    handlers = {"topics": _topics, "inspect": _inspect, "replay": _replay}
    try:
        kafka = kafka_connection(args.bootstrap)
        return asyncio.run(handlers[args.command](args, kafka))
    except KafkaUnreachableError as exc:
        print(
            f"parley {args.command}: cannot reach Kafka at {kafka.bootstrap_servers}: {exc}; "
            "start the local stack (make run) or point --bootstrap at a running broker",
            file=sys.stderr,
        )
        return 2
    except (UnknownTopicError, NothingToReplayError, KafkaAccessError, ValidationError) as exc:
        print(f"parley {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
