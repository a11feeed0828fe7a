"""Twilio behind the carrier seam: its Media Streams messages as the call core's neutral
events, and the media socket's upgrade check."""

from __future__ import annotations

from typing import cast

import orjson
import pytest
from fastapi import WebSocket
from parley_edge.carriers.base import (
    CallerAudio,
    KeyPressed,
    MalformedMessageError,
    MarkReached,
    StreamStarted,
    StreamStopped,
)
from parley_edge.carriers.registry import CARRIERS, build_carriers
from parley_edge.carriers.twilio.carrier import TwilioCarrier
from parley_edge.carriers.twilio.serializer import TwilioMediaSerializer
from parley_edge.settings import EdgeSettings
from starlette.datastructures import URL, Headers
from twilio.request_validator import RequestValidator

serializer = TwilioMediaSerializer()
PUBLIC_URL = "https://voice.example.com"
AUTH_TOKEN = "carrier-test-token"


def message(**fields: object) -> str:
    return orjson.dumps(fields).decode()


def test_start_becomes_stream_started_with_the_markup_parameters() -> None:
    text = message(
        event="start",
        streamSid="MZ1",
        start={
            "streamSid": "MZ1",
            "callSid": "CA1",
            "accountSid": "AC1",
            "customParameters": {"sessionId": "s1", "token": "t"},
        },
    )
    assert serializer.deserialize(text) == StreamStarted(
        call_id="CA1",
        stream_id="MZ1",
        account_id="AC1",
        parameters={"sessionId": "s1", "token": "t"},
    )


def test_a_start_without_its_own_stream_sid_takes_the_messages() -> None:
    text = message(event="start", streamSid="MZ9", start={"streamSid": "", "callSid": "CA1"})
    event = serializer.deserialize(text)
    assert isinstance(event, StreamStarted) and event.stream_id == "MZ9"


@pytest.mark.parametrize(("track", "from_caller"), [("inbound", True), ("outbound", False)])
def test_media_becomes_caller_audio_decoded_on_request(track: str, from_caller: bool) -> None:
    text = message(
        event="media",
        media={"track": track, "chunk": "7", "timestamp": "140", "payload": "AP8="},
    )
    event = serializer.deserialize(text)
    assert event == CallerAudio(seq=7, timestamp_ms=140, payload="AP8=", from_caller=from_caller)
    assert serializer.decode_audio(event) == b"\x00\xff"


def test_bad_base64_is_malformed_only_when_decoded() -> None:
    event = serializer.deserialize(
        message(event="media", media={"chunk": 1, "timestamp": 2, "payload": "!!"})
    )
    assert isinstance(event, CallerAudio)
    with pytest.raises(MalformedMessageError) as error:
        serializer.decode_audio(event)
    assert error.value.kind == "invalid_base64"


def test_mark_dtmf_and_stop_become_their_events_and_connected_nothing() -> None:
    assert serializer.deserialize(message(event="mark", mark={"name": "t1.s0"})) == (
        MarkReached("t1.s0")
    )
    assert serializer.deserialize(message(event="dtmf", dtmf={"digit": "#"})) == KeyPressed("#")
    assert serializer.deserialize(message(event="stop")) == StreamStopped()
    assert serializer.deserialize(message(event="connected", protocol="Call")) is None


class UpgradeRequest:
    """What :meth:`TwilioCarrier.accepts_upgrade` reads of a WebSocket."""

    def __init__(self, query: str, signature: str | None) -> None:
        self.url = URL(f"ws://10.0.0.5:8080/twilio/media{'?' + query if query else ''}")
        self.headers = Headers({"x-twilio-signature": signature} if signature else {})


def carrier() -> TwilioCarrier:
    return TwilioCarrier(EdgeSettings(twilio_auth_token=AUTH_TOKEN, public_url=PUBLIC_URL))


def upgrade(query: str = "", signature: str | None = None) -> WebSocket:
    return cast(WebSocket, UpgradeRequest(query, signature))


def test_an_upgrade_signed_over_the_public_stream_url_is_accepted() -> None:
    signed = RequestValidator(AUTH_TOKEN).compute_signature(
        "wss://voice.example.com/twilio/media?x=1", {}
    )
    assert carrier().accepts_upgrade(upgrade("x=1", signed))


def test_an_upgrade_with_a_wrong_signature_is_refused_and_one_without_goes_on() -> None:
    assert not carrier().accepts_upgrade(upgrade(signature="bm90IGEgc2lnbmF0dXJl"))
    assert carrier().accepts_upgrade(upgrade())


def test_the_registry_builds_every_listed_carrier() -> None:
    built = build_carriers(EdgeSettings(public_url=PUBLIC_URL))
    assert [c.name for c in built] == list(CARRIERS) == ["twilio"]
    assert built[0].media_path == "/twilio/media"
