"""Exceptions raised by the local development stack.

Every message says what went wrong and what the operator can do about it.
"""

from __future__ import annotations


class DevstackError(Exception):
    """Base class for every error raised by ``parley_devstack``."""


class MissingDependencyError(DevstackError):
    """A program the stack needs (java, mvn, redis-server, postgres) is not installed."""


class NotRootError(DevstackError):
    """Installing system packages needs root and we are not root."""


class JarFetchError(DevstackError):
    """Maven could not fetch the Apache Kafka jars."""


class ServiceStartError(DevstackError):
    """A local service exited during startup or did not become ready in time.

    ``log_tail`` holds the last lines the service wrote, which usually name the cause.
    """

    def __init__(self, message: str, log_tail: str = "") -> None:
        full = f"{message}\n--- last log lines ---\n{log_tail}" if log_tail else message
        super().__init__(full)
        self.log_tail = log_tail


class PortInUseError(ServiceStartError):
    """The service could not bind its port because another process holds it."""


class KafkaUnreachableError(DevstackError):
    """No Kafka broker answered at the given bootstrap servers."""


class KafkaRefusedError(DevstackError):
    """A Kafka broker answered but refused this client: credentials, TLS or listener."""


class TopicCreationError(DevstackError):
    """Kafka refused to create a topic for a reason other than it already existing."""


class InvalidSettingError(DevstackError):
    """A setting the launcher reads (from the environment or .env) has an unusable value."""
