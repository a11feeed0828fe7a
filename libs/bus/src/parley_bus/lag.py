"""Consumer lag as a metric: how many messages each assigned partition is behind.

Exported as ``parley_consumer_lag{topic, partition}`` on the service's /metrics, so an
operator (or a KEDA/HPA rule) sees a worker falling behind before callers hear it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

from prometheus_client import Gauge

log = logging.getLogger(__name__)

CONSUMER_LAG = Gauge(
    "parley_consumer_lag",
    "Messages not yet consumed on an assigned partition (high watermark - position)",
    ["topic", "partition"],
)


async def measure_lag(subscribers: Sequence[Any]) -> dict[tuple[str, int], int]:
    """Lag per assigned partition, for partitions whose high watermark is known."""
    lags: dict[tuple[str, int], int] = {}
    for subscriber in subscribers:
        consumer = getattr(subscriber, "consumer", None)
        if consumer is None:
            continue
        for tp in consumer.assignment():
            highwater = consumer.highwater(tp)
            if highwater is None:
                continue
            position = await consumer.position(tp)
            lags[(tp.topic, tp.partition)] = max(0, highwater - position)
    return lags


class ConsumerLagMonitor:
    def __init__(self, subscribers: Sequence[Any], interval_s: float = 5.0) -> None:
        self._subscribers = subscribers
        self._interval_s = interval_s
        self._task: asyncio.Task[None] | None = None
        self._reported: set[tuple[str, int]] = set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="consumer-lag")

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval_s)
            try:
                lags = await measure_lag(self._subscribers)
            except Exception as exc:  # a broker hiccup must not kill the monitor
                log.debug("lag not measured: %s", exc)
                continue
            self.report(lags)

    def report(self, lags: dict[tuple[str, int], int]) -> None:
        """Set the gauge for the partitions held now, and drop the series of partitions
        a rebalance took away: another worker reports those."""
        for topic, partition in self._reported - lags.keys():
            with contextlib.suppress(KeyError):
                CONSUMER_LAG.remove(topic, str(partition))
        for (topic, partition), lag in lags.items():
            CONSUMER_LAG.labels(topic=topic, partition=str(partition)).set(lag)
        self._reported = set(lags)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


@contextlib.asynccontextmanager
async def running_broker(
    broker: Any, subscribers: Sequence[Any], lag_interval_s: float = 5.0
) -> AsyncIterator[None]:
    """Start the broker and its lag monitor; stop both on exit."""
    await broker.start()
    monitor = ConsumerLagMonitor(subscribers, lag_interval_s)
    monitor.start()
    try:
        yield
    finally:
        await monitor.stop()
        await broker.stop()
