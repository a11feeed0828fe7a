"""`parley topics`: the catalogue as it stands on the broker, with offsets and the
consumer lag of each worker group."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from parley_bus import KafkaConnection
from parley_bus.clients import started
from parley_contracts import TopicSpec
from parley_contracts.access import reading_groups


@dataclass
class PartitionState:
    partition: int
    begin: int
    end: int
    lag: dict[str, int] = field(default_factory=dict)  # consumer group -> messages behind


@dataclass
class TopicState:
    spec: TopicSpec
    exists: bool
    partitions: list[PartitionState] = field(default_factory=list)

    def total_lag(self, group: str) -> int:
        return sum(p.lag.get(group, 0) for p in self.partitions)


def worker_groups(spec: TopicSpec) -> list[str]:
    """The default consumer groups reading `spec` (the edge reads by assignment)."""
    return list(reading_groups(spec))


async def describe_topics(kafka: KafkaConnection, specs: list[TopicSpec]) -> list[TopicState]:
    # Each client is created only once the previous one connected: an unstarted aiokafka
    # client left behind complains on garbage collection.
    async with (
        started(AIOKafkaAdminClient(**kafka.client_options()), kafka) as admin,
        started(
            AIOKafkaConsumer(**kafka.client_options(), enable_auto_commit=False), kafka
        ) as consumer,
    ):
        present = set(await admin.list_topics())
        states: list[TopicState] = []
        for spec in specs:
            if spec.name not in present:
                states.append(TopicState(spec, exists=False))
                continue
            count = len(consumer.partitions_for_topic(spec.name) or range(spec.partitions))
            tps = [TopicPartition(spec.name, p) for p in range(count)]
            begins = await consumer.beginning_offsets(tps)
            ends = await consumer.end_offsets(tps)
            state = TopicState(
                spec, True, [PartitionState(tp.partition, begins[tp], ends[tp]) for tp in tps]
            )
            for group in worker_groups(spec):
                committed = await admin.list_consumer_group_offsets(group, partitions=tps)
                for part in state.partitions:
                    meta = committed.get(TopicPartition(spec.name, part.partition))
                    if meta is not None and meta.offset >= 0:
                        part.lag[group] = max(0, part.end - meta.offset)
            states.append(state)
        return states


def format_topics(states: list[TopicState], detailed: bool) -> list[str]:
    lines = [f"{'topic':<20} {'parts':>5} {'messages':>9}  {'value':<11} lag by group"]
    for state in states:
        spec = state.spec
        if not state.exists:
            lines.append(f"{spec.name:<20} {'-':>5} {'-':>9}  missing: `parley topics --create`")
            continue
        messages = sum(p.end - p.begin for p in state.partitions)
        lag = ", ".join(f"{g}={state.total_lag(g)}" for g in worker_groups(spec)) or "-"
        lines.append(
            f"{spec.name:<20} {len(state.partitions):>5} {messages:>9}  "
            f"{spec.value_format.name.lower():<11} {lag}"
        )
        if detailed:
            for part in state.partitions:
                lags = " ".join(f"{g}={n}" for g, n in part.lag.items())
                lines.append(f"  [{part.partition:>2}] offsets {part.begin}..{part.end} {lags}")
    return lines
