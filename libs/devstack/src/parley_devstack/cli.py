"""``parley-stack``: install, run and prepare the local Kafka/Redis/PostgreSQL stack."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import logging
import os
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from parley_bus import KafkaSettings
from parley_contracts.topics import ALL_TOPICS, Partitioning
from pydantic import ValidationError

from parley_devstack.env_file import render_env, write_env_file
from parley_devstack.errors import DevstackError, InvalidSettingError, NotRootError
from parley_devstack.install import install_system_packages
from parley_devstack.kafka_jars import KAFKA_VERSION, cached_kafka_jars, ensure_kafka_jars
from parley_devstack.paths import stack_dir
from parley_devstack.retention import TopicRetentionSettings
from parley_devstack.stack import KAFKA_ENV, LocalStack
from parley_devstack.topics import create_topics

logger = logging.getLogger("parley_devstack.cli")

_LIVENESS_INTERVAL_SECONDS = 1.0


def _install(_: argparse.Namespace) -> int:
    status = 0
    try:
        install_system_packages()
    except NotRootError as exc:
        print(exc, file=sys.stderr)
        status = 1
    if cached_kafka_jars() is not None:
        logger.info("Kafka %s jars already cached", KAFKA_VERSION)
    jars = ensure_kafka_jars()
    logger.info("Kafka jars: %s", jars.lib_dir)
    return status


def partition_overrides(per_call: int | None, edge_slots: int | None) -> dict[str, int]:
    """Partition counts for a deployment: per-call topics share one count (they are
    co-partitioned), edge-slot topics get one partition per edge slot."""
    overrides: dict[str, int] = {}
    for topic in ALL_TOPICS:
        by_slot = topic.partitioning == Partitioning.BY_EDGE_SLOT
        count = edge_slots if by_slot else per_call
        if count is not None:
            overrides[topic.name] = count
    return overrides


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def _topics(args: argparse.Namespace) -> int:
    servers = args.bootstrap_servers or os.environ.get(KAFKA_ENV)
    if not servers:
        print(f"set {KAFKA_ENV} or pass --bootstrap-servers", file=sys.stderr)
        return 2
    try:
        # The other KAFKA_* settings (security protocol, credentials) as the services read them.
        kafka = KafkaSettings(kafka_bootstrap_servers=servers).kafka_connection()
        retention = TopicRetentionSettings().by_class()
    except ValidationError as exc:
        raise InvalidSettingError(str(exc)) from exc
    overrides = partition_overrides(args.partitions_per_call, args.edge_slots)
    created = asyncio.run(
        create_topics(
            kafka,
            ALL_TOPICS,
            overrides,
            replication_factor=args.replication_factor,
            retention=retention,
        )
    )
    logger.info(
        "topics ready on %s (%d created, %d already there)",
        servers,
        len(created),
        len(ALL_TOPICS) - len(created),
    )
    return 0


@contextlib.contextmanager
def _exclusive(data_dir: Path) -> Iterator[None]:
    """One ``up`` per data folder: a second one would wipe the first one's Kafka."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / ".lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DevstackError(
                f"another `parley-stack up` is using {data_dir}; stop it or pass --data-dir"
            ) from None
        yield


def _stop_on_signals() -> None:
    # SIGTERM and SIGHUP take the same clean path as Ctrl-C.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.default_int_handler)


def _wait_while_healthy(stack: LocalStack) -> int:
    while True:
        time.sleep(_LIVENESS_INTERVAL_SECONDS)
        for name, service in stack.local_services().items():
            if not service.is_running():
                logger.error("%s exited unexpectedly; stopping the stack", name)
                return 1


def _up(args: argparse.Namespace) -> int:
    data_dir: Path = (args.data_dir or stack_dir()).resolve()
    env_file: Path = (args.env_file or data_dir / "stack.env").resolve()
    _stop_on_signals()
    with _exclusive(data_dir):
        stack = LocalStack(data_dir, secure_kafka=args.secure_kafka, secure_redis=args.secure_redis)
        try:
            stack.start()
            if not args.no_topics:
                logger.info("creating topics…")
                asyncio.run(create_topics(stack.kafka_connection(), ALL_TOPICS))
            settings = stack.env()
            write_env_file(env_file, settings)
            sys.stdout.write(render_env(settings))
            logger.info("stack ready; settings written to %s. Ctrl-C stops it.", env_file)
            return _wait_while_healthy(stack)
        except KeyboardInterrupt:
            logger.info("stopping…")
            return 0
        finally:
            env_file.unlink(missing_ok=True)
            stack.stop()
            logger.info("stopped")


def _run_system(args: argparse.Namespace) -> int:
    # Imported here: the service fleet needs HTTP clients the other commands do not.
    from parley_devstack.run import run_system

    data_dir: Path = (args.data_dir or stack_dir()).resolve()
    with _exclusive(data_dir):
        return run_system(data_dir, clean=args.clean)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="parley-stack", description="Local Kafka, Redis and PostgreSQL for Parley."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    install = commands.add_parser(
        "install", help="install missing Debian packages and fetch the Kafka jars"
    )
    install.set_defaults(run=_install)

    up = commands.add_parser("up", help="run the stack in the foreground until interrupted")
    up.add_argument(
        "--env-file", type=Path, help="where to write the settings (default: <data-dir>/stack.env)"
    )
    up.add_argument(
        "--data-dir", type=Path, help="service data folder (default: $PARLEY_STACK_DIR or .stack)"
    )
    up.add_argument("--no-topics", action="store_true", help="do not create Parley's topics")
    up.add_argument(
        "--secure-kafka",
        action="store_true",
        help="Kafka takes only SASL_SSL logins: the settings written are the admin's; each "
        "service's user and password are in <data-dir>/kafka/security/users.json",
    )
    up.add_argument(
        "--secure-redis",
        action="store_true",
        help="Redis speaks only TLS and takes only ACL logins: the settings written are "
        "Parley's user's; the admin's password is in <data-dir>/redis/security/users.json",
    )
    up.set_defaults(run=_up)

    run = commands.add_parser(
        "run", help="the stack plus all of Parley's services, in the foreground (make run)"
    )
    run.add_argument(
        "--data-dir", type=Path, help="state folder (default: $PARLEY_STACK_DIR or .stack)"
    )
    run.add_argument(
        "--clean",
        action="store_true",
        help="start with empty Kafka, Redis and PostgreSQL (their data is kept by default)",
    )
    run.set_defaults(run=_run_system)

    topics = commands.add_parser(
        "topics",
        help=f"create Parley's topics on ${KAFKA_ENV}, with the retention of "
        "PARLEY_TOPIC_RETENTION_AUDIO / _TEXT / _EVENTS (existing topics are altered to it)",
    )
    topics.add_argument("--bootstrap-servers", help=f"default: ${KAFKA_ENV}")
    topics.add_argument(
        "--partitions-per-call",
        type=_positive_int,
        help="partitions of the session-keyed topics (default: the catalogue's)",
    )
    topics.add_argument(
        "--edge-slots",
        type=_positive_int,
        help="partitions of the edge-slot topics (max edge instances)",
    )
    topics.add_argument(
        "--replication-factor",
        type=_positive_int,
        default=1,
        help="copies of each partition (default 1, a single broker; use 3 on a cluster)",
    )
    topics.set_defaults(run=_topics)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="parley-stack: %(message)s")
    logging.getLogger("parley_devstack").setLevel(logging.INFO)
    try:
        status: int = args.run(args)
    except DevstackError as exc:
        print(f"parley-stack: {exc}", file=sys.stderr)
        return 1
    return status


if __name__ == "__main__":
    sys.exit(main())
