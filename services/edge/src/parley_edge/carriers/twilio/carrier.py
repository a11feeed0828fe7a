"""Twilio as the edge wires it: signed webhooks under ``/twilio``, Media Streams on
:data:`MEDIA_PATH`, and the REST API for live calls."""

from __future__ import annotations

from fastapi import APIRouter, WebSocket

from parley_edge.call_ledger import CallLedger
from parley_edge.carriers.base import Carrier
from parley_edge.carriers.twilio.call_control import TwilioCallControl
from parley_edge.carriers.twilio.serializer import TwilioMediaSerializer
from parley_edge.carriers.twilio.signature import TwilioSignatureVerifier
from parley_edge.carriers.twilio.twiml import MEDIA_PATH, media_stream_url
from parley_edge.carriers.twilio.webhooks import webhook_router
from parley_edge.settings import EdgeSettings
from parley_edge.stream_token import StreamTokens


class TwilioCarrier(Carrier):
    name = "twilio"
    media_path = MEDIA_PATH
    upgrade_refusal = "invalid X-Twilio-Signature"

    def __init__(self, settings: EdgeSettings) -> None:
        self._public_url = settings.public_url
        self._stream_url = media_stream_url(settings.public_url)
        self.verifier = TwilioSignatureVerifier(settings.twilio_auth_token, settings.public_url)
        self.serializer = TwilioMediaSerializer()
        self.call_control = TwilioCallControl(
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            settings.twilio_api_url,
            settings.twilio_api_timeout_s,
        )

    def webhook_router(self, calls: CallLedger, tokens: StreamTokens) -> APIRouter:
        return webhook_router(self.verifier, calls, self._public_url, tokens)

    def accepts_upgrade(self, websocket: WebSocket) -> bool:
        """An upgrade without ``X-Twilio-Signature`` goes on (the stream token decides);
        one with it must be signed over the ``wss://`` URL with no parameters, Twilio's
        rule."""
        signature = websocket.headers.get("x-twilio-signature")
        if signature is None:
            return True
        query = websocket.url.query
        signed_url = self._stream_url + (f"?{query}" if query else "")
        return self.verifier.is_valid_url(signed_url, {}, signature)
