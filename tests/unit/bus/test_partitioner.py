"""The remembering partitioner must put every key exactly where Kafka's default would."""

from __future__ import annotations

from aiokafka.partitioner import DefaultPartitioner
from hypothesis import given
from hypothesis import strategies as st
from parley_bus.partitioner import RememberingKeyPartitioner, key_hash

partition_lists = st.integers(min_value=1, max_value=64).map(lambda n: list(range(n)))


@given(key=st.binary(min_size=1, max_size=64), partitions=partition_lists)
def test_a_key_lands_on_the_default_partitioners_partition(
    key: bytes, partitions: list[int]
) -> None:
    expected = DefaultPartitioner()(key, partitions, partitions)
    assert RememberingKeyPartitioner()(key, partitions, partitions) == expected
    # Asked again (now from the remembered hash), the answer is the same.
    assert RememberingKeyPartitioner()(key, partitions, partitions) == expected


# Kafka's own murmur2 test vectors (the Java client's Utils.murmur2, as signed ints).
JAVA_MURMUR2 = {
    b"21": -973932308,
    b"foobar": -790332482,
    b"a-little-bit-long-string": -985981536,
    b"a-little-bit-longer-string": -1486304829,
    b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": -58897971,
    b"abc": 479470107,
}


def test_keys_land_where_the_java_client_puts_them() -> None:
    partitions = list(range(12))
    for key, java_hash in JAVA_MURMUR2.items():
        expected = (java_hash & 0x7FFFFFFF) % 12  # Utils.toPositive(murmur2(key)) % 12
        assert RememberingKeyPartitioner()(key, partitions, partitions) == expected


def test_session_ids_spread_over_every_partition() -> None:
    partitions = list(range(12))
    keys = [f"call-{n}".encode() for n in range(200)]
    assert {RememberingKeyPartitioner()(k, partitions, partitions) for k in keys} == set(partitions)
    assert all(0 <= key_hash(k) <= 0x7FFFFFFF for k in keys)


def test_a_keyless_message_goes_to_an_available_partition() -> None:
    chosen = {RememberingKeyPartitioner()(None, [0, 1, 2, 3], [2, 3]) for _ in range(50)}
    assert chosen <= {2, 3}
