"""Hostile input to the Twilio webhooks, in process: unsigned or forged requests get 403,
signed ones with garbage fields a clear 400, huge bodies 413 before they are buffered;
never a 500."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from urllib.parse import urlencode

from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from parley_edge.admission import CallAdmission
from parley_edge.call_ledger import CallLedger
from parley_edge.carriers.twilio.signature import TwilioSignatureVerifier
from parley_edge.carriers.twilio.webhooks import CALL_STATUSES, MAX_WEBHOOK_BYTES, webhook_router
from prometheus_client import REGISTRY
from twilio.request_validator import RequestValidator

from tests.support.memory_call_index import MemoryCallIndex
from tests.unit.edge.fuzzing import fuzz
from tests.unit.edge.scripted_socket import TOKENS, RecordingPublisher

AUTH_TOKEN = "webhook-fuzz-token"
PUBLIC = "https://voice.example.com"
CALL_SID = re.compile(r"^CA[0-9a-fA-F]{32}$")


def _client() -> TestClient:
    app = FastAPI()
    verifier = TwilioSignatureVerifier(AUTH_TOKEN, PUBLIC)
    publisher = RecordingPublisher()
    calls = CallLedger(CallAdmission(max_calls=1_000_000), MemoryCallIndex(), publisher, 60)
    app.include_router(webhook_router(verifier, calls, PUBLIC, TOKENS))
    return TestClient(app, raise_server_exceptions=False)


CLIENT = _client()
FRESH_CALLS = itertools.count(0xB0000000)
ROUTES = st.sampled_from(["/twilio/voice", "/twilio/status"])
call_sids = st.one_of(
    st.from_regex(r"CA[0-9a-f]{32}", fullmatch=True),
    st.text(max_size=50),
    st.just("CA" + "0" * 31 + "é"),
    st.just("CA" + "f" * 1000),
)
statuses = st.one_of(st.sampled_from(sorted(CALL_STATUSES)), st.text(max_size=30))
forms = st.fixed_dictionaries(
    {},
    optional={
        "CallSid": call_sids,
        "CallStatus": statuses,
        "AccountSid": st.text(max_size=40),
        "From": st.text(max_size=40),
        "To": st.text(max_size=40),
        "Direction": st.text(max_size=20),
    },
).flatmap(
    lambda fixed: st.dictionaries(st.text(max_size=20), st.text(max_size=60), max_size=8).map(
        lambda extra: extra | fixed
    )
)


def _signature(path: str, form: dict[str, str]) -> str:
    return str(RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC + path, form))


def _webhook_outcomes() -> Iterator[str]:
    for metric in REGISTRY.collect():
        if metric.name == "twilio_webhooks":
            yield from (s.labels["outcome"] for s in metric.samples if "outcome" in s.labels)


@fuzz(100)
@given(ROUTES, forms, st.one_of(st.none(), st.text(max_size=40)))
def test_an_unsigned_or_forged_webhook_gets_403(
    path: str, form: dict[str, str], signature: str | None
) -> None:
    # Bytes: a forged header need not be ASCII.
    headers = {} if signature is None else {b"X-Twilio-Signature": signature.encode()}
    assert CLIENT.post(path, data=form, headers=headers).status_code == 403


@fuzz(250)
@given(ROUTES, forms)
def test_a_signed_webhook_with_garbage_fields_gets_a_clear_4xx_never_a_500(
    path: str, form: dict[str, str]
) -> None:
    response = CLIENT.post(path, data=form, headers={"X-Twilio-Signature": _signature(path, form)})
    good_sid = CALL_SID.match(form.get("CallSid", "")) is not None
    if path == "/twilio/voice":
        assert response.status_code == (200 if good_sid else 400), response.text
    else:
        good = good_sid and form.get("CallStatus") in CALL_STATUSES
        assert response.status_code == (204 if good else 400), response.text
    if response.status_code == 400:
        assert response.json()["detail"]
    # Only known outcomes become metric labels, whatever CallStatus said.
    known = CALL_STATUSES | {
        "bad_signature",
        "invalid",
        "connected",
        "replayed",
        "over_capacity",
        "fallback",
    }
    assert set(_webhook_outcomes()) <= known


@fuzz(100)
@given(st.dictionaries(st.sampled_from(["sttProvider", "ttsProvider", "x"]), st.text(max_size=30)))
def test_any_query_on_the_signed_voice_webhook_answers_the_call(query: dict[str, str]) -> None:
    form = {"CallSid": f"CA{next(FRESH_CALLS):032x}"}  # a new call, never one that ended
    path = "/twilio/voice" + (f"?{urlencode(query)}" if query else "")
    response = CLIENT.post(path, data=form, headers={"X-Twilio-Signature": _signature(path, form)})
    assert response.status_code == 200, response.text
    assert "<Connect>" in response.text


@fuzz(150)
@given(
    ROUTES,
    st.binary(max_size=2000),
    st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=xyz",
            "multipart/form-data",
            "application/json",
            "text/xml",
            "",
        ]
    ),
)
def test_any_body_of_any_type_is_refused_cleanly(path: str, body: bytes, content_type: str) -> None:
    headers = {"Content-Type": content_type, "X-Twilio-Signature": "Zm9yZ2Vk"}
    response = CLIENT.post(path, content=body, headers=headers)
    assert response.status_code in (400, 403), response.text


def test_a_declared_huge_body_gets_413_before_the_signature_check() -> None:
    body = b"CallSid=" + b"A" * (5 * 1024 * 1024)
    response = CLIENT.post(
        "/twilio/voice",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413


def test_a_huge_chunked_body_gets_413_once_it_passes_the_limit() -> None:
    def chunks() -> Iterator[bytes]:
        yield b"CallSid="
        for _ in range(1000):  # 64 MiB if it were all read
            yield b"A" * (64 * 1024)

    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    response = CLIENT.post("/twilio/status", content=chunks(), headers=headers)
    assert response.status_code == 413
    assert "content-length" not in {k.lower() for k in response.request.headers}


def test_a_body_of_many_tiny_fields_under_the_limit_is_refused_with_400() -> None:
    body = b"&".join(b"a=%d" % n for n in range(5000))
    assert len(body) < MAX_WEBHOOK_BYTES
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    assert CLIENT.post("/twilio/voice", content=body, headers=headers).status_code == 400
