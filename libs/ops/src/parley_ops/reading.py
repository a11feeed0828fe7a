"""Reading Parley's topics without joining any consumer group (inspection never
disturbs the workers' offsets)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord
from parley_bus import KafkaConnection
from parley_bus.clients import started
from parley_contracts import ALL_TOPICS, TopicSpec


class UnknownTopicError(ValueError):
    pass


def resolve_topics(names: Sequence[str]) -> list[TopicSpec]:
    """`all`, full names (`parley.replies`) or short ones (`replies`)."""
    if not names or "all" in names:
        return list(ALL_TOPICS)
    by_name = {t.name: t for t in ALL_TOPICS} | {
        t.name.removeprefix("parley."): t for t in ALL_TOPICS
    }
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise UnknownTopicError(
            f"unknown topic {', '.join(unknown)}; known: {', '.join(t.name for t in ALL_TOPICS)}"
        )
    return [by_name[n] for n in names]


async def read_topics(
    kafka: KafkaConnection,
    topics: Sequence[TopicSpec],
    *,
    session: str | None = None,
    from_beginning: bool = True,
    follow: bool = False,
    on_positioned: Callable[[], None] | None = None,
) -> AsyncIterator[ConsumerRecord[bytes, bytes]]:
    """Messages of `topics` (only `session`'s if given); stops at the current end unless
    `follow`. Without `from_beginning`, starts at the end (useful with `follow`): every
    message written after `on_positioned` is called is read."""
    # The reset policy matches the requested start: an offset the client resolves on
    # its own (racing the explicit seek below, e.g. right after a broker restart) then
    # lands on the same side instead of silently skipping everything to the end.
    consumer = AIOKafkaConsumer(
        **kafka.client_options(),
        enable_auto_commit=False,
        auto_offset_reset="earliest" if from_beginning else "latest",
    )
    async with started(consumer, kafka):
        partitions = [TopicPartition(t.name, p) for t in topics for p in range(t.partitions)]
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        if from_beginning:
            await consumer.seek_to_beginning(*partitions)
        else:
            for tp in partitions:  # explicit offsets: seek_to_end would resolve them lazily
                consumer.seek(tp, ends[tp])
        if on_positioned is not None:
            on_positioned()
        key = session.encode() if session else None
        while True:
            batch = await consumer.getmany(timeout_ms=500)
            for messages in batch.values():
                for message in messages:
                    if key is None or message.key == key:
                        yield message
            if not follow and not batch and await _caught_up(consumer, ends):
                return


async def _caught_up(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    for tp, end in ends.items():
        if await consumer.position(tp) < end:
            return False
    return True
