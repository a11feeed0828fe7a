import pytest
from parley_contracts.topics import ALL_TOPICS
from parley_devstack import KafkaUnreachableError, TopicCreationError, create_topics
from parley_devstack.topics import _check_response, _wanted_partitions


def test_override_changes_only_the_named_topic() -> None:
    wanted = _wanted_partitions(ALL_TOPICS, {"parley.control": 2})

    assert wanted["parley.control"] == 2
    assert wanted["parley.audio.out"] == 16


def test_override_for_an_unknown_topic_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"parley\.typo"):
        _wanted_partitions(ALL_TOPICS, {"parley.typo": 2})


def test_already_existing_topics_are_not_an_error() -> None:
    created = _check_response([("a", 0, None), ("b", 36, "Topic 'b' already exists.")])

    assert created == ["a"]


def test_other_errors_name_the_topic_and_the_reason() -> None:
    with pytest.raises(TopicCreationError, match="c: Replication factor: 3 larger"):
        _check_response([("c", 38, "Replication factor: 3 larger than available brokers: 1.")])


async def test_an_unreachable_broker_is_named_in_the_error() -> None:
    with pytest.raises(KafkaUnreachableError, match=r"127\.0\.0\.1:1 "):
        await create_topics("127.0.0.1:1", ALL_TOPICS)
