"""Kafka, Redis and PostgreSQL together, or the external ones named in the environment."""

from __future__ import annotations

import concurrent.futures
import logging
import os
import shutil
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Protocol

from parley_bus import KafkaConnection, KafkaSettings

from parley_devstack.local_kafka import LocalKafka
from parley_devstack.local_postgres import LocalPostgres
from parley_devstack.local_redis import LocalRedis
from parley_devstack.process import ManagedProcess

logger = logging.getLogger(__name__)

KAFKA_ENV = "KAFKA_BOOTSTRAP_SERVERS"
REDIS_ENV = "REDIS_URL"
DATABASE_ENV = "DATABASE_URL"


class LocalService(Protocol):
    """What the stack needs from each local service."""

    @property
    def pid(self) -> int | None: ...

    @property
    def process(self) -> ManagedProcess | None: ...

    def is_running(self) -> bool: ...

    def start(self, timeout: float = ...) -> None: ...

    def stop(self, timeout: float = ...) -> None: ...


class LocalStack:
    """The services Parley needs, started on loopback under ``data_dir``.

    A service whose variable (``KAFKA_BOOTSTRAP_SERVERS``, ``REDIS_URL``,
    ``DATABASE_URL``) is set in ``environ`` (default: ``os.environ``) is taken as
    external: it is used as is and never started or stopped. ``with_*=False`` leaves
    a service out entirely (tests that only need Kafka start faster). With
    ``keep_data`` the local services keep their data in ``data_dir`` from one start to
    the next (``make run``); without it every start begins empty (tests). With
    ``secure_kafka`` the local broker takes only SASL_SSL logins: :meth:`env` logs in
    as its admin, :meth:`service_env` gives each service its own user. With
    ``secure_redis`` the local Redis speaks only TLS and :meth:`env` logs in as Parley's
    ACL user.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        with_kafka: bool = True,
        with_redis: bool = True,
        with_postgres: bool = True,
        environ: Mapping[str, str] | None = None,
        keep_data: bool = False,
        secure_kafka: bool = False,
        secure_redis: bool = False,
    ) -> None:
        source = os.environ if environ is None else environ
        self.data_dir = Path(data_dir).resolve()
        wanted = {KAFKA_ENV: with_kafka, REDIS_ENV: with_redis, DATABASE_ENV: with_postgres}
        self.external: dict[str, str] = {
            name: source[name] for name, enabled in wanted.items() if enabled and source.get(name)
        }
        # An external broker's security settings (KAFKA_SECURITY_PROTOCOL, ...).
        self._external_kafka = {k: v for k, v in source.items() if k.startswith("KAFKA_")}
        self.kafka = (
            LocalKafka(self.data_dir / "kafka", keep_data=keep_data, secure=secure_kafka)
            if with_kafka and KAFKA_ENV not in self.external
            else None
        )
        self.redis = (
            LocalRedis(self.data_dir / "redis", keep_data=keep_data, secure=secure_redis)
            if with_redis and REDIS_ENV not in self.external
            else None
        )
        self.postgres = (
            LocalPostgres(self.data_dir / "postgres", keep_data=keep_data)
            if with_postgres and DATABASE_ENV not in self.external
            else None
        )

    def local_services(self) -> dict[str, LocalService]:
        """The services this stack starts itself, by name."""
        services: dict[str, LocalService | None] = {
            "kafka": self.kafka,
            "redis": self.redis,
            "postgres": self.postgres,
        }
        return {name: service for name, service in services.items() if service is not None}

    def processes(self) -> dict[str, ManagedProcess]:
        """The server processes of the local services that have been started."""
        return {
            name: process
            for name, service in self.local_services().items()
            if (process := service.process) is not None
        }

    def pids(self) -> dict[str, int]:
        """Process ids of the local services that have been started."""
        return {
            name: pid for name, service in self.local_services().items() if (pid := service.pid)
        }

    @property
    def bootstrap_servers(self) -> str:
        return self.kafka.bootstrap_servers if self.kafka else self._external_setting(KAFKA_ENV)

    @property
    def redis_url(self) -> str:
        return self.redis.url if self.redis else self._external_setting(REDIS_ENV)

    @property
    def database_url(self) -> str:
        return self.postgres.url if self.postgres else self._external_setting(DATABASE_ENV)

    def kafka_connection(self) -> KafkaConnection:
        """The connection :meth:`env` describes (the admin's, on a secure broker)."""
        if self.kafka is not None:
            return self.kafka.connection()
        self._external_setting(KAFKA_ENV)
        return KafkaSettings.model_validate(self._external_kafka).kafka_connection()

    def env(self) -> dict[str, str]:
        """Connection settings for Parley's services, as environment variables."""
        settings = dict(self.external)
        if self.kafka is not None:
            settings[KAFKA_ENV] = self.kafka.bootstrap_servers
            if self.kafka.security is not None:
                settings |= self.kafka.security.environment()
        if self.redis is not None:
            settings[REDIS_ENV] = self.redis.url
            if self.redis.security is not None:
                settings |= self.redis.security.environment()
        if self.postgres is not None:
            settings[DATABASE_ENV] = self.postgres.url
        return settings

    def service_env(self) -> dict[str, dict[str, str]]:
        """Per service, what it needs beyond :meth:`env`: its own Kafka user when the
        broker is secure (nothing otherwise)."""
        if self.kafka is None or self.kafka.security is None:
            return {}
        return self.kafka.security.service_environments()

    def start(self, timeout: float = 60.0) -> None:
        """Start every local service at once (Kafka dominates: a few seconds).

        If any fails, or the caller is interrupted, whatever did start is stopped
        before the error propagates.
        """
        services = self.local_services()
        for name, value in self.external.items():
            logger.info("using external %s=%s", name, _redact(value))
        if not services:
            return
        logger.info("starting %s under %s…", ", ".join(services), self.data_dir)
        started = time.monotonic()
        pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=len(services), thread_name_prefix="devstack-start"
        )
        futures = {name: pool.submit(service.start, timeout) for name, service in services.items()}
        try:
            for future in futures.values():
                future.result()
        except BaseException:
            # Let the other starts finish so nothing is left half-started, then stop all.
            pool.shutdown(wait=True)
            self.stop()
            raise
        pool.shutdown(wait=True)
        logger.info("local stack ready in %.1f s", time.monotonic() - started)

    def discard_data(self) -> None:
        """Remove what the local services keep in ``data_dir``, so the next start
        begins empty (external services are untouched). Call it while stopped."""
        running = [name for name, service in self.local_services().items() if service.is_running()]
        if running:
            raise RuntimeError(f"stop {', '.join(running)} before discarding their data")
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def stop(self) -> None:
        """Stop every local service this stack started; external ones are untouched."""
        errors: list[BaseException] = []
        for name, service in reversed(self.local_services().items()):
            try:
                service.stop()
            except Exception as exc:
                logger.exception("could not stop %s", name)
                errors.append(exc)
        if errors:
            raise errors[0]

    def __enter__(self) -> LocalStack:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _external_setting(self, name: str) -> str:
        try:
            return self.external[name]
        except KeyError:
            raise RuntimeError(f"this stack has no service behind {name}") from None


def _redact(value: str) -> str:
    """Hide a password in a URL before logging it."""
    scheme, sep, rest = value.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not sep or not at or ":" not in credentials:
        return value
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"
