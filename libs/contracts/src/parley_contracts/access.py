"""Who may do what on Kafka, derived from the topic catalogue and nothing else.

A topic's producers may write it and its consumers may read it. Session-keyed topics
are read in consumer groups, one per service (``parley-<service>``), which that
service's readers must be allowed to join; edge-slot topics are read by manual
assignment (each edge its own partition), without a group. Deployments turn these
grants into Kafka ACLs (the local stack applies them; docs/deploy.md lists them), so a
new topic or a new reader needs only its catalogue entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from parley_contracts.topics import ALL_TOPICS, Partitioning, TopicSpec


class Operation(StrEnum):
    READ = "READ"
    WRITE = "WRITE"


class Resource(StrEnum):
    TOPIC = "TOPIC"
    GROUP = "GROUP"


@dataclass(frozen=True, slots=True, order=True)
class Grant:
    """One right of one service: ``operation`` on the topic or group ``name``."""

    service: str
    resource: Resource
    name: str
    operation: Operation


def consumer_group(service: str) -> str:
    """The consumer group a service's workers share (their settings' default)."""
    return f"parley-{service}"


def reading_groups(spec: TopicSpec) -> tuple[str, ...]:
    """The consumer groups that read ``spec``; none for topics read by assignment."""
    if spec.partitioning is not Partitioning.BY_SESSION_KEY:
        return ()
    return tuple(consumer_group(service) for service in spec.consumers)


def kafka_services(topics: Iterable[TopicSpec] = ALL_TOPICS) -> tuple[str, ...]:
    """Every service that writes or reads a topic, in catalogue order."""
    names: dict[str, None] = {}
    for spec in topics:
        names.update(dict.fromkeys((*spec.producers, *spec.consumers)))
    return tuple(names)


def grants(topics: Iterable[TopicSpec] = ALL_TOPICS) -> list[Grant]:
    """Every right the services need, sorted by service, without repeats."""
    found: set[Grant] = set()
    for spec in topics:
        found.update(Grant(s, Resource.TOPIC, spec.name, Operation.WRITE) for s in spec.producers)
        found.update(Grant(s, Resource.TOPIC, spec.name, Operation.READ) for s in spec.consumers)
        groups = reading_groups(spec)
        found.update(
            Grant(s, Resource.GROUP, group, Operation.READ)
            for s, group in zip(spec.consumers, groups, strict=False)
        )
    return sorted(found)


def grants_of(service: str, topics: Iterable[TopicSpec] = ALL_TOPICS) -> list[Grant]:
    return [grant for grant in grants(topics) if grant.service == service]
