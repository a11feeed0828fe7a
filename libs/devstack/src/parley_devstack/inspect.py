"""Print every Kafka message of one call, in time order: the first thing to look at
when a call went wrong.

    python -m parley_devstack.inspect --session <sessionId> [--audio]
"""

from __future__ import annotations

import argparse
import asyncio
import os
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, TopicPartition
from parley_contracts import ALL_TOPICS
from parley_contracts.topics import ValueFormat


async def _behind(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    for tp, end in ends.items():
        if end and await consumer.position(tp) < end:
            return True
    return False


async def collect(bootstrap: str, session_id: str, with_audio: bool) -> list[tuple[int, str, str]]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    rows: list[tuple[int, str, str]] = []
    try:
        topics = [t for t in ALL_TOPICS if with_audio or t.value_format is ValueFormat.JSON_EVENT]
        partitions = [TopicPartition(t.name, p) for t in topics for p in range(t.partitions)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        key = session_id.encode()
        while await _behind(consumer, ends):
            batch = await consumer.getmany(timeout_ms=500)
            for tp, messages in batch.items():
                for message in messages:
                    if message.key != key:
                        continue
                    is_audio = tp.topic.startswith("parley.audio")
                    text = (
                        f"{len(message.value or b'')} bytes"
                        if is_audio
                        else (message.value or b"").decode()
                    )
                    rows.append((message.timestamp, tp.topic, text))
            if not batch:
                break
    finally:
        await consumer.stop()
    return sorted(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--session", required=True, help="session id (the Kafka message key)")
    parser.add_argument("--audio", action="store_true", help="include audio frames (one line each)")
    parser.add_argument(
        "--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    )
    args = parser.parse_args()
    for timestamp, topic, text in asyncio.run(collect(args.bootstrap, args.session, args.audio)):
        when = datetime.fromtimestamp(timestamp / 1000, UTC).strftime("%H:%M:%S.%f")[:-3]
        print(f"{when}  {topic:<20} {text}")


if __name__ == "__main__":
    main()
