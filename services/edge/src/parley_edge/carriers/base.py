"""The carrier seam: what the call core needs from a telephony carrier, and nothing else.

A carrier brings three things. Its media WebSocket speaks its own wire format, which a
:class:`MediaSerializer` turns into the carrier-neutral events below (and builds the
carrier's media, mark and clear messages from our side). Its webhooks are signed its own
way (:class:`WebhookVerifier`). Its live calls are hung up and transferred through its
own API (:class:`CallControl`). The call core (:mod:`parley_edge.call_stream`) sees only
these, so a second carrier is one new package under :mod:`parley_edge.carriers`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field

from fastapi import APIRouter, WebSocket

from parley_edge.call_ledger import CallLedger
from parley_edge.stream_token import StreamTokens


class MalformedMessageError(ValueError):
    """An inbound message that is not valid in the carrier's protocol. ``kind`` labels
    metrics, so it is one of a small fixed set of names."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind


class CallControlError(RuntimeError):
    """The carrier's API refused or could not be reached for a call update."""


# --- inbound events, carrier-neutral -----------------------------------------------


@dataclass(frozen=True, slots=True)
class StreamStarted:
    """The carrier's first word about a call on the media socket.

    ``parameters`` are the ones the edge put in the markup that connected the call
    (``sessionId``, ``token``, the speech providers)."""

    call_id: str
    stream_id: str
    account_id: str = ""
    parameters: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CallerAudio:
    """One frame of the call's audio, still as the carrier encoded it: decoding waits
    until the call core knows the frame is wanted (:meth:`MediaSerializer.decode_audio`).

    ``from_caller`` is false for a track other than the caller's, which the core skips."""

    seq: int
    timestamp_ms: int
    payload: str
    from_caller: bool = True


@dataclass(frozen=True, slots=True)
class MarkReached:
    """A mark we sent came back: the caller has heard everything queued before it."""

    name: str


@dataclass(frozen=True, slots=True)
class KeyPressed:
    digit: str


@dataclass(frozen=True, slots=True)
class StreamStopped:
    """The carrier ended the stream."""


InboundEvent = StreamStarted | CallerAudio | MarkReached | KeyPressed | StreamStopped


# --- what a carrier implements ---------------------------------------------------------


class MediaSerializer(ABC):
    """One carrier's media WebSocket wire format, both ways. Stateless: one instance
    serves every stream of its carrier."""

    #: Names the carrier in log events (``<carrier>.malformed``, ``<carrier>.stream_refused``).
    carrier: str

    @abstractmethod
    def deserialize(self, text: str) -> InboundEvent | None:
        """The event a text frame carries, or None for one the core has no use for.

        Raises :class:`MalformedMessageError` for anything outside the protocol."""

    @abstractmethod
    def decode_audio(self, audio: CallerAudio) -> bytes:
        """The frame's raw 8 kHz mu-law bytes; :class:`MalformedMessageError` if the
        payload does not decode or is larger than a caller frame may be."""

    @abstractmethod
    def media(self, stream_id: str, frame: bytes) -> str:
        """The message that plays ``frame`` (8 kHz mu-law) to the caller."""

    @abstractmethod
    def mark(self, stream_id: str, name: str) -> str:
        """The message asking the carrier to send ``name`` back once all audio sent
        before it has played."""

    @abstractmethod
    def clear(self, stream_id: str) -> str:
        """The message that silences whatever the carrier has buffered for the caller."""


class CallControl(ABC):
    """Updates a live call through the carrier's API. Both raise :class:`CallControlError`."""

    @abstractmethod
    async def hang_up(self, account_id: str, call_id: str) -> None: ...

    @abstractmethod
    async def transfer(
        self, account_id: str, call_id: str, target: str, announcement: str = ""
    ) -> None:
        """Cold transfer to ``target``, or warm: ``announcement`` is spoken first."""


class WebhookVerifier(ABC):
    """Checks that a request was signed by the carrier."""

    @abstractmethod
    def is_valid(
        self, path: str, query: str, params: Mapping[str, str], signature: str | None
    ) -> bool: ...


class Carrier(ABC):
    """Everything of one carrier the edge's app wires up: its webhooks, its media socket's
    path and handshake check, its serializer and its call control."""

    name: str
    media_path: str
    #: The close reason of a media socket whose upgrade :meth:`accepts_upgrade` refused.
    upgrade_refusal: str
    serializer: MediaSerializer
    call_control: CallControl

    @abstractmethod
    def webhook_router(self, calls: CallLedger, tokens: StreamTokens) -> APIRouter:
        """The carrier's HTTP webhooks (answering a call, status callbacks)."""

    @abstractmethod
    def accepts_upgrade(self, websocket: WebSocket) -> bool:
        """Whether the media socket's upgrade request may go on to a stream (a carrier
        that signs it must have signed it correctly)."""
