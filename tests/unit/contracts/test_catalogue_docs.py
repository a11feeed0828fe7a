"""The docs' tables of topics and of Kafka rights say what the catalogue says."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from parley_contracts import ALL_TOPICS
from parley_contracts.access import Operation, Resource, grants, kafka_services
from parley_contracts.topics import DEFAULT_RETENTION

DOCS = Path(__file__).resolve().parents[3] / "docs"


def table_rows(text: str, header: str) -> list[list[str]]:
    """The cells of the Markdown table whose header line starts with ``header``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def names(cell: str) -> list[str]:
    return [n.strip().strip("`") for n in cell.split(",") if n.strip() not in ("", "—")]


def test_the_topic_table_names_every_topic_its_partitions_writers_and_readers() -> None:
    rows = table_rows((DOCS / "topics.md").read_text(), "| topic | partitions |")
    documented = {row[0].strip("`"): (int(row[1]), names(row[4]), names(row[5])) for row in rows}
    assert documented == {
        t.name: (t.partitions, list(t.producers), list(t.consumers)) for t in ALL_TOPICS
    }


def _spelled(kept: timedelta) -> str:
    hours = int(kept.total_seconds() // 3600)
    return f"{hours} h" if hours < 24 else f"{hours // 24} d"


def test_the_topic_table_says_what_each_topic_holds_and_for_how_long() -> None:
    rows = table_rows((DOCS / "topics.md").read_text(), "| topic | partitions |")
    documented = {row[0].strip("`"): row[6] for row in rows}
    assert documented == {
        t.name: f"{t.holds} ({_spelled(DEFAULT_RETENTION[t.holds])})" for t in ALL_TOPICS
    }


def granted(service: str, resource: Resource, operation: Operation) -> list[str]:
    wanted = (service, resource, operation)
    return [g.name for g in grants() if (g.service, g.resource, g.operation) == wanted]


def test_the_acl_table_is_the_catalogues_grants() -> None:
    rows = table_rows((DOCS / "deploy.md").read_text(), "| service | WRITE topic |")
    documented = {row[0]: [names(cell) for cell in row[1:]] for row in rows}
    assert documented == {
        service: [
            granted(service, Resource.TOPIC, Operation.WRITE),
            granted(service, Resource.TOPIC, Operation.READ),
            granted(service, Resource.GROUP, Operation.READ),
        ]
        for service in kafka_services()
    }


def writers(topic: str) -> set[str]:
    return {
        g.service
        for g in grants()
        if (g.resource, g.name, g.operation) == (Resource.TOPIC, topic, Operation.WRITE)
    }


def test_only_the_edge_writes_caller_audio_and_only_dialogue_and_janitor_command_it() -> None:
    assert writers("parley.audio.in") == {"edge"}
    assert writers("parley.control") == {"dialogue", "janitor"}
