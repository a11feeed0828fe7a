from __future__ import annotations

from parley_bus.lag import CONSUMER_LAG, ConsumerLagMonitor
from prometheus_client import generate_latest


def lag_series() -> set[tuple[str, str]]:
    return {
        (sample.labels["topic"], sample.labels["partition"])
        for metric in CONSUMER_LAG.collect()
        for sample in metric.samples
        if sample.labels["topic"].startswith("lag-test.")
    }


def test_partitions_taken_away_by_a_rebalance_stop_being_reported() -> None:
    monitor = ConsumerLagMonitor([])
    monitor.report({("lag-test.audio", 0): 3, ("lag-test.audio", 1): 0})
    assert lag_series() == {("lag-test.audio", "0"), ("lag-test.audio", "1")}
    monitor.report({("lag-test.audio", 1): 5})
    assert lag_series() == {("lag-test.audio", "1")}
    assert b'parley_consumer_lag{partition="1",topic="lag-test.audio"} 5.0' in generate_latest()
