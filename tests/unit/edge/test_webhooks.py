from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from parley_edge.admission import CallAdmission
from parley_edge.call_ledger import CallLedger
from parley_edge.carriers.twilio.signature import TwilioSignatureVerifier
from parley_edge.carriers.twilio.twiml import (
    connect_twiml,
    fallback_twiml,
    hangup_twiml,
    media_stream_url,
)
from parley_edge.carriers.twilio.webhooks import webhook_router
from parley_edge.stream_token import StreamTokens
from parley_sessions import CallIndexUnavailableError, IndexedCall
from twilio.request_validator import RequestValidator

from tests.support.memory_call_index import MemoryCallIndex
from tests.unit.edge.scripted_socket import RecordingPublisher

TOKEN = "test-token"
PUBLIC = "https://voice.example.com"
TOKENS = StreamTokens("stream-secret", ttl_s=60)


def make_client(
    max_calls: int = 10, index: MemoryCallIndex | None = None
) -> tuple[TestClient, MemoryCallIndex]:
    app = FastAPI()
    index = index or MemoryCallIndex()
    ledger = CallLedger(CallAdmission(max_calls), index, RecordingPublisher(), 60)
    verifier = TwilioSignatureVerifier(TOKEN, PUBLIC)
    app.include_router(webhook_router(verifier, ledger, PUBLIC, TOKENS))
    return TestClient(app), index


def indexed_session(index: MemoryCallIndex, call_sid: str) -> str | None:
    call = asyncio.run(index.lookup(call_sid))
    return None if call is None else call.session_id


@pytest.fixture
def client_and_index() -> tuple[TestClient, MemoryCallIndex]:
    return make_client()


def signed(params: dict[str, str], path: str = "/twilio/voice") -> dict[str, str]:
    return {"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(PUBLIC + path, params)}


PARAMS = {
    "CallSid": "CA" + "0" * 32,
    "From": "+15550001111",
    "To": "+15550002222",
    "CallStatus": "ringing",
}


def test_signed_voice_webhook_connects_a_media_stream(client_and_index) -> None:  # type: ignore[no-untyped-def]
    client, index = client_and_index
    response = client.post("/twilio/voice", data=PARAMS, headers=signed(PARAMS))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(response.text)
    stream = root.find("./Connect/Stream")
    assert stream is not None and stream.get("url") == "wss://voice.example.com/twilio/media"
    params = {p.get("name"): p.get("value") for p in stream.iter("Parameter")}
    assert indexed_session(index, PARAMS["CallSid"]) == params["sessionId"]
    TOKENS.verify(params["token"], params["sessionId"], PARAMS["CallSid"])
    assert root.find("./Hangup") is not None


def test_over_the_concurrent_call_limit_the_caller_gets_the_fallback() -> None:
    client, index = make_client(max_calls=2)
    answers = []
    for n in range(3):
        params = PARAMS | {"CallSid": f"CA{n:032d}"}
        answers.append(
            ET.fromstring(client.post("/twilio/voice", data=params, headers=signed(params)).text)
        )
    assert [a.find("./Connect") is not None for a in answers] == [True, True, False]
    assert [child.tag for child in answers[2]] == ["Say", "Hangup"]
    assert [asyncio.run(index.lookup(f"CA{n:032d}")).state for n in range(3)] == [  # type: ignore[union-attr]
        "pending",
        "pending",
        "ended",  # refused for good: a replay of it must not connect it later
    ]


class DownIndex(MemoryCallIndex):
    async def claim(self, call_sid: str, session_id: str) -> IndexedCall:
        raise CallIndexUnavailableError("the call index at REDIS_URL failed: connection refused")


def test_while_the_call_index_is_down_the_caller_gets_the_fallback() -> None:
    client, _ = make_client(index=DownIndex())
    answer = ET.fromstring(client.post("/twilio/voice", data=PARAMS, headers=signed(PARAMS)).text)
    assert [child.tag for child in answer] == ["Say", "Hangup"]


@pytest.mark.parametrize("headers", [{}, {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}])
def test_missing_or_bad_signature_is_rejected_with_403(client_and_index, headers) -> None:  # type: ignore[no-untyped-def]
    client, index = client_and_index
    response = client.post("/twilio/voice", data=PARAMS, headers=headers)
    assert response.status_code == 403
    assert indexed_session(index, PARAMS["CallSid"]) is None


def test_signature_over_different_params_is_rejected(client_and_index) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_and_index
    tampered = PARAMS | {"From": "+15559999999"}
    assert client.post("/twilio/voice", data=tampered, headers=signed(PARAMS)).status_code == 403


def test_stream_url_follows_the_public_scheme() -> None:
    assert media_stream_url("https://a.example/") == "wss://a.example/twilio/media"
    assert media_stream_url("http://127.0.0.1:8080") == "ws://127.0.0.1:8080/twilio/media"


def test_twiml_carries_parameters_and_fallback_says_then_hangs_up() -> None:
    root = ET.fromstring(connect_twiml(PUBLIC, {"sessionId": "abc"}))
    assert root.find("./Connect/Stream/Parameter").get("value") == "abc"  # type: ignore[union-attr]
    fallback = ET.fromstring(fallback_twiml("Busy, sorry."))
    assert [child.tag for child in fallback] == ["Say", "Hangup"]
    assert fallback.find("Say").text == "Busy, sorry."  # type: ignore[union-attr]
    assert [child.tag for child in ET.fromstring(hangup_twiml())] == ["Hangup"]


def stream_parameters(response_text: str) -> dict[str | None, str | None]:
    stream = ET.fromstring(response_text).find("./Connect/Stream")
    assert stream is not None
    return {p.get("name"): p.get("value") for p in stream.iter("Parameter")}


def test_the_voice_url_can_choose_the_calls_speech_providers(client_and_index) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_and_index
    path = "/twilio/voice?sttProvider=deepgram&ttsProvider=Google-Cloud"
    response = client.post(path, data=PARAMS, headers=signed(PARAMS, path))
    params = stream_parameters(response.text)
    assert params["sttProvider"] == "deepgram"
    assert params["ttsProvider"] == "google-cloud"


def test_an_unknown_provider_in_the_voice_url_is_ignored(client_and_index) -> None:  # type: ignore[no-untyped-def]
    client, _ = client_and_index
    path = "/twilio/voice?sttProvider=acme"
    response = client.post(path, data=PARAMS, headers=signed(PARAMS, path))
    assert response.status_code == 200
    params = stream_parameters(response.text)
    assert "sttProvider" not in params and "ttsProvider" not in params
