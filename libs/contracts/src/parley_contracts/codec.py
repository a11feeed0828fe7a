"""orjson encoding and validated decoding of events, with caller text optionally sealed.

Kafka keeps records in plaintext on the brokers' disks. When text sealing is on, the
fields that hold what the caller said or the agent says (each event's
``SEALED_FIELDS``) are written as ``{"sealed": <Fernet token>, "keyId": <key id>}``
with the newest of Parley's keys (:mod:`parley_contracts.keyring`); the rest of the
event stays readable for routing and inspection. Decoding opens any sealed field with
the key it names, whether or not this process seals, so consumers are given the keys
before producers start sealing. One process has one sealing, set from its Kafka
settings (``parley_bus.KafkaSettings``) by :func:`use_text_sealing`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

import orjson
from pydantic import BaseModel, TypeAdapter, ValidationError

from parley_contracts.events import CallEvent, ControlEvent, ReplyEvent, TranscriptEvent
from parley_contracts.keyring import BrokenSealError, Keyring, UnknownKeyError

T = TypeVar("T")

SEALED = "sealed"
SEALED_KEY_ID = "keyId"


class EventDecodeError(ValueError):
    """A message on a JSON topic is not a valid event of that topic."""


class SealedTextError(EventDecodeError):
    """A message's sealed text cannot be opened: its key is missing here, or it was altered."""


@dataclass(frozen=True)
class TextSealing:
    """The keys this process opens sealed text with, and whether it seals what it writes."""

    keyring: Keyring
    seal: bool = False

    def __post_init__(self) -> None:
        if self.seal and not self.keyring:
            raise ValueError("sealing text needs at least one key")


_sealing = TextSealing(Keyring())


def use_text_sealing(sealing: TextSealing) -> None:
    """Make every later :func:`encode_event` and decode of this process use ``sealing``."""
    global _sealing
    _sealing = sealing


def text_sealing() -> TextSealing:
    return _sealing


def encode_event(event: BaseModel) -> bytes:
    """Serialise an event to the bytes written to Kafka."""
    document = event.model_dump(mode="json", by_alias=True)
    if _sealing.seal:
        for name in getattr(event, "SEALED_FIELDS", ()):
            alias = type(event).model_fields[name].alias or name
            value = document.get(alias)
            if isinstance(value, str) and value:
                key_id, token = _sealing.keyring.seal(value.encode())
                document[alias] = {SEALED: token, SEALED_KEY_ID: key_id}
    return orjson.dumps(document)


def _is_sealed(value: object) -> bool:
    return isinstance(value, dict) and value.keys() == {SEALED, SEALED_KEY_ID}


def _open(value: dict[str, Any], unopened: str | None) -> str:
    try:
        return _sealing.keyring.open(str(value[SEALED_KEY_ID]), str(value[SEALED])).decode()
    except (UnknownKeyError, BrokenSealError, UnicodeDecodeError) as exc:
        if unopened is None:
            raise SealedTextError(str(exc)) from exc
        return unopened


class EventDecoder:
    """Decodes one topic's messages into its event union."""

    def __init__(self, union: Any, topic: str) -> None:
        self._adapter: TypeAdapter[Any] = TypeAdapter(union)
        self._topic = topic

    @property
    def topic(self) -> str:
        return self._topic

    def decode(self, data: bytes, *, unopened: str | None = None) -> Any:
        """The event in ``data``, its sealed text opened.

        Text that cannot be opened raises :class:`SealedTextError`, or, when
        ``unopened`` is given, reads as that placeholder (for tools showing records).
        """
        try:
            document = orjson.loads(data)
            if isinstance(document, dict):
                for name, value in document.items():
                    if _is_sealed(value):
                        document[name] = _open(value, unopened)
            return self._adapter.validate_python(document)
        except SealedTextError as exc:
            raise SealedTextError(f"message on {self._topic}: {exc}") from exc
        except (orjson.JSONDecodeError, ValidationError) as exc:
            raise EventDecodeError(f"message on {self._topic} is not a valid event: {exc}") from exc


call_event_decoder = EventDecoder(CallEvent, "parley.call.events")
transcript_event_decoder = EventDecoder(TranscriptEvent, "parley.transcripts")
reply_event_decoder = EventDecoder(ReplyEvent, "parley.replies")
control_event_decoder = EventDecoder(ControlEvent, "parley.control")
