"""Parley's local development stack: real Kafka, Redis and PostgreSQL on loopback.

``LocalStack`` starts what tests and ``make run`` need (or uses external services
named by ``KAFKA_BOOTSTRAP_SERVERS``, ``REDIS_URL``, ``DATABASE_URL``) and stops it
again; ``create_topics`` lays out the topic catalogue; ``parley-stack`` is the CLI.
"""

from parley_devstack.errors import (
    DevstackError,
    JarFetchError,
    KafkaRefusedError,
    KafkaUnreachableError,
    MissingDependencyError,
    NotRootError,
    PortInUseError,
    ServiceStartError,
    TopicCreationError,
)
from parley_devstack.kafka_jars import KAFKA_VERSION, KafkaJars, ensure_kafka_jars
from parley_devstack.local_kafka import LocalKafka
from parley_devstack.local_postgres import LocalPostgres
from parley_devstack.local_redis import LocalRedis
from parley_devstack.stack import DATABASE_ENV, KAFKA_ENV, REDIS_ENV, LocalStack
from parley_devstack.topics import create_topics

__all__ = [
    "DATABASE_ENV",
    "KAFKA_ENV",
    "KAFKA_VERSION",
    "REDIS_ENV",
    "DevstackError",
    "JarFetchError",
    "KafkaJars",
    "KafkaRefusedError",
    "KafkaUnreachableError",
    "LocalKafka",
    "LocalPostgres",
    "LocalRedis",
    "LocalStack",
    "MissingDependencyError",
    "NotRootError",
    "PortInUseError",
    "ServiceStartError",
    "TopicCreationError",
    "create_topics",
    "ensure_kafka_jars",
]
