"""How long Kafka keeps each class of caller data, and bringing topics in line with it.

A broker keeps records for a week by default; Parley's topics hold caller audio and
conversation text that nobody needs after the call, so each topic is given the
retention of the class of data it holds (:class:`parley_contracts.topics.CallerData`).
Kafka deletes a log segment only once it is closed, and a quiet topic's active segment
would otherwise stay open for a week (``segment.ms``'s default); rolling segments at a
quarter of the retention bounds how long a record can outlive it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Annotated, Any

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import for_code
from parley_contracts.topics import DEFAULT_RETENTION, CallerData, TopicSpec
from pydantic import BeforeValidator, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from parley_devstack.errors import TopicCreationError

logger = logging.getLogger(__name__)

RETENTION_ENV_PREFIX = "PARLEY_TOPIC_RETENTION_"
_NO_ERROR = 0
_DYNAMIC_TOPIC_CONFIG = 1  # DescribeConfigs' config_source of a per-topic override
_MIN_SEGMENT = timedelta(minutes=1)
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"^\s*(\d+)\s*(ms|s|m|h|d)\s*$")


def parse_duration(value: object) -> object:
    """``90s``, ``30m``, ``1h``, ``7d`` (or a timedelta) as a timedelta."""
    if not isinstance(value, str):
        return value
    match = _DURATION.match(value)
    if match is None:
        raise ValueError(f"{value!r} is not a duration such as 90s, 30m, 1h or 7d")
    return timedelta(seconds=int(match[1]) * _UNITS[match[2]])


Duration = Annotated[timedelta, BeforeValidator(parse_duration), Field(gt=timedelta(0))]


class TopicRetentionSettings(BaseSettings):
    """``PARLEY_TOPIC_RETENTION_AUDIO`` / ``_TEXT`` / ``_EVENTS``, read by the topics
    command: how long Kafka keeps each class of caller data."""

    model_config = SettingsConfigDict(env_prefix=RETENTION_ENV_PREFIX, extra="ignore")

    audio: Duration = Field(
        default=DEFAULT_RETENTION[CallerData.AUDIO],
        description="Caller and agent audio (parley.audio.in, parley.audio.out).",
    )
    text: Duration = Field(
        default=DEFAULT_RETENTION[CallerData.TEXT],
        description="Transcripts, reply sentences and control commands.",
    )
    events: Duration = Field(
        default=DEFAULT_RETENTION[CallerData.EVENTS],
        description="Call lifecycle events (parley.call.events).",
    )

    def by_class(self) -> dict[CallerData, timedelta]:
        return {data: getattr(self, data.value) for data in CallerData}


def _ms(duration: timedelta) -> str:
    return str(int(duration.total_seconds() * 1000))


def topic_configs(retention: timedelta) -> dict[str, str]:
    """The per-topic settings that make Kafka delete records after ``retention``."""
    segment = max(retention / 4, _MIN_SEGMENT)
    return {"retention.ms": _ms(retention), "segment.ms": _ms(min(segment, retention))}


def wanted_configs(
    topics: Iterable[TopicSpec], retention: Mapping[CallerData, timedelta] | None
) -> dict[str, dict[str, str]]:
    """Each topic's configs for the retention of the data it holds (default: the
    catalogue's)."""
    chosen = {**DEFAULT_RETENTION, **(retention or {})}
    return {spec.name: topic_configs(chosen[spec.holds]) for spec in topics}


async def align_topic_configs(
    admin: AIOKafkaAdminClient, wanted: Mapping[str, Mapping[str, str]]
) -> list[str]:
    """Give existing topics the wanted configs; return ``topic: name old -> new`` per change.

    AlterConfigs replaces a topic's whole set of overrides, so the overrides the topic
    already has (an operator's ``cleanup.policy``, say) are sent along unchanged.
    """
    if not wanted:
        return []
    current = await _topic_overrides(admin, sorted(wanted))
    changes: list[str] = []
    resources: list[ConfigResource] = []
    for name, configs in sorted(wanted.items()):
        overrides = current.get(name, {})
        changed = {key: value for key, value in configs.items() if overrides.get(key) != value}
        if not changed:
            continue
        changes.extend(
            f"{name}: {key} {overrides.get(key, 'broker default')} -> {value}"
            for key, value in changed.items()
        )
        resources.append(ConfigResource(ConfigResourceType.TOPIC, name, {**overrides, **configs}))
    if resources:
        _check_altered(await admin.alter_configs(resources))
    for change in changes:
        logger.info("changed topic config %s", change)
    return changes


async def _topic_overrides(
    admin: AIOKafkaAdminClient, names: list[str]
) -> dict[str, dict[str, str]]:
    responses = await admin.describe_configs(
        [ConfigResource(ConfigResourceType.TOPIC, name) for name in names]
    )
    overrides: dict[str, dict[str, str]] = {}
    for response in responses:
        for resource in response.to_object()["resources"]:
            if resource["error_code"] != _NO_ERROR:
                raise TopicCreationError(
                    f"cannot read the configs of topic {resource['resource_name']}: "
                    f"{resource['error_message'] or for_code(resource['error_code']).__name__}; "
                    "the topics command needs DescribeConfigs on Parley's topics"
                )
            overrides[resource["resource_name"]] = {
                entry["config_names"]: entry["config_value"]
                for entry in resource["config_entries"]
                if _is_override(entry) and entry["config_value"] is not None
            }
    return overrides


def _is_override(entry: Mapping[str, Any]) -> bool:
    if "config_source" in entry:
        return bool(entry["config_source"] == _DYNAMIC_TOPIC_CONFIG)
    return not entry.get("is_default", True)


def _check_altered(responses: list[Any]) -> None:
    failures = [
        f"{resource['resource_name']}: "
        f"{resource['error_message'] or for_code(resource['error_code']).__name__}"
        for response in responses
        for resource in response.to_object()["resources"]
        if resource["error_code"] != _NO_ERROR
    ]
    if failures:
        raise TopicCreationError(
            "Kafka refused to change topic retention; the topics command needs AlterConfigs "
            f"on Parley's topics: {'; '.join(failures)}"
        )
