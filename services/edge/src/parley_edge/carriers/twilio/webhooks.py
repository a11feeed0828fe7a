"""Twilio's HTTP webhooks: the voice webhook (answer with TwiML) and status callbacks."""

from __future__ import annotations

import logging
import re

from fastapi import APIRouter, HTTPException, Request, Response
from parley_sessions import CallIndexUnavailableError
from starlette.datastructures import FormData
from starlette.types import Message

from parley_edge import metrics
from parley_edge.call_ledger import AnsweredCall, CallLedger, EdgeFullError
from parley_edge.carriers.twilio.signature import TwilioSignatureVerifier
from parley_edge.carriers.twilio.twiml import connect_twiml, fallback_twiml, hangup_twiml
from parley_edge.log_redaction import hashed_sid, phone_tail
from parley_edge.speech_choice import CallSpeech
from parley_edge.stream_token import StreamTokens

log = logging.getLogger(__name__)

TERMINAL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})
CALL_STATUSES = TERMINAL_STATUSES | {"queued", "initiated", "ringing", "in-progress"}
CALL_SID = re.compile(r"^CA[0-9a-fA-F]{32}$")
# Twilio's webhook bodies are a few kilobytes of form fields.
MAX_WEBHOOK_BYTES = 64 * 1024
FALLBACK_MESSAGE = "Sorry, we cannot take your call right now. Please try again later."


def _xml(body: str) -> Response:
    return Response(content=body, media_type="application/xml")


async def bounded_form(request: Request) -> FormData:
    """The form, refusing a body over :data:`MAX_WEBHOOK_BYTES` (413) before buffering it,
    whether its length is declared or it is streamed in chunks."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_WEBHOOK_BYTES:
        raise HTTPException(status_code=413, detail="webhook body too large")
    received = 0

    async def receive() -> Message:
        nonlocal received
        message = await request.receive()
        received += len(message.get("body", b""))
        if received > MAX_WEBHOOK_BYTES:
            raise HTTPException(status_code=413, detail="webhook body too large")
        return message

    return await Request(request.scope, receive).form()


def _call_sid(form: dict[str, str], route: str) -> str:
    call_sid = form.get("CallSid", "")
    if not CALL_SID.match(call_sid):
        metrics.WEBHOOKS.labels(route=route, outcome="invalid").inc()
        raise HTTPException(status_code=400, detail="CallSid must be CA and 32 hex digits")
    return call_sid


def _log_answer(call: AnsweredCall, call_sid: str, form: dict[str, str]) -> None:
    extra = {"session": call.session_id, "call": hashed_sid(call_sid)}
    if not call.replayed:
        metrics.WEBHOOKS.labels(route="voice", outcome="connected").inc()
        extra |= {"event": "twilio.voice", "from": phone_tail(form.get("From", ""))}
        log.info("answering call", extra=extra)
        return
    # Twilio's signatures carry no timestamp: anyone holding a signed webhook can post it.
    metrics.WEBHOOKS.labels(route="voice", outcome="replayed").inc()
    metrics.REPLAYED_WEBHOOKS.labels(call_state=call.state).inc()
    log.info(
        "voice webhook for a call that has a session already; answering with that session"
        if call.state != "ended"
        else "voice webhook for a call that has ended; answering with a hang-up",
        extra=extra | {"event": "twilio.voice_replayed", "state": call.state},
    )


def webhook_router(
    verifier: TwilioSignatureVerifier,
    calls: CallLedger,
    public_url: str,
    tokens: StreamTokens,
) -> APIRouter:
    router = APIRouter(prefix="/twilio")

    async def verified_form(request: Request, route: str) -> dict[str, str]:
        form = {k: str(v) for k, v in (await bounded_form(request)).items()}
        signature = request.headers.get("X-Twilio-Signature")
        if not verifier.is_valid(request.url.path, request.url.query, form, signature):
            metrics.WEBHOOKS.labels(route=route, outcome="bad_signature").inc()
            log.warning(
                "rejected webhook with a bad signature",
                extra={"event": "twilio.bad_signature", "route": route},
            )
            raise HTTPException(status_code=403, detail="invalid X-Twilio-Signature")
        return form

    @router.post("/voice")
    async def voice(request: Request) -> Response:
        form = await verified_form(request, "voice")
        call_sid = _call_sid(form, "voice")
        try:
            call = await calls.answer(call_sid)
        except EdgeFullError:
            log.warning(
                "at the concurrent call limit; answering with the fallback",
                extra={"event": "twilio.fallback", "reason": "capacity", "calls": len(calls)},
            )
            metrics.WEBHOOKS.labels(route="voice", outcome="over_capacity").inc()
            return _xml(fallback_twiml(FALLBACK_MESSAGE))
        except CallIndexUnavailableError:
            log.exception(
                "call index unavailable; refusing the call", extra={"event": "twilio.fallback"}
            )
            metrics.WEBHOOKS.labels(route="voice", outcome="fallback").inc()
            return _xml(fallback_twiml(FALLBACK_MESSAGE))
        _log_answer(call, call_sid, form)
        if call.state == "ended":
            return _xml(hangup_twiml())
        # A replay gets a fresh token for the same session: whichever token comes back,
        # the call's stream starts once (CallLedger.start_stream).
        parameters = {
            "sessionId": call.session_id,
            "token": tokens.issue(call.session_id, call_sid),
            **CallSpeech.from_query(request.query_params).as_stream_parameters(),
        }
        return _xml(connect_twiml(public_url, parameters))

    @router.post("/status")
    async def status(request: Request) -> Response:
        form = await verified_form(request, "status")
        call_sid = _call_sid(form, "status")
        call_status = form.get("CallStatus", "")
        if call_status not in CALL_STATUSES:
            # Only known statuses become metric labels: no unbounded label values.
            metrics.WEBHOOKS.labels(route="status", outcome="invalid").inc()
            raise HTTPException(status_code=400, detail="CallStatus is not a Twilio call status")
        metrics.WEBHOOKS.labels(route="status", outcome=call_status).inc()
        if call_status in TERMINAL_STATUSES:
            await calls.call_ended(call_sid, call_status)
        return Response(status_code=204)

    return router
