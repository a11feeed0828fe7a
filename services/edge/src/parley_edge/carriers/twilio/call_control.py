"""Call control through Twilio's REST API (the ``twilio`` library): transfer and hang-up."""

from __future__ import annotations

import asyncio

from twilio.base.exceptions import TwilioException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from twilio.twiml.voice_response import VoiceResponse

from parley_edge.carriers.base import CallControl, CallControlError


def transfer_twiml(target: str, announcement: str = "") -> str:
    """Cold transfer: ``<Dial>`` the target. Warm: ``<Say>`` the announcement first."""
    response = VoiceResponse()
    if announcement:
        response.say(announcement)
    response.dial(target)
    return str(response)


class TwilioCallControl(CallControl):
    """Updates live calls. ``account_sid`` may be empty: each call's own account is used."""

    def __init__(self, account_sid: str, auth_token: str, api_url: str, timeout_s: float) -> None:
        self._account_sid = account_sid
        self._auth_token = auth_token
        self._api_url = api_url.rstrip("/")
        self._timeout_s = timeout_s
        self._clients: dict[str, Client] = {}

    async def transfer(
        self, account_sid: str, call_sid: str, target: str, announcement: str = ""
    ) -> None:
        await self._update(account_sid, call_sid, twiml=transfer_twiml(target, announcement))

    async def hang_up(self, account_sid: str, call_sid: str) -> None:
        await self._update(account_sid, call_sid, status="completed")

    def _client(self, account_sid: str) -> Client:
        account = self._account_sid or account_sid
        if not account:
            raise CallControlError("no Twilio account for call control; set TWILIO_ACCOUNT_SID")
        client = self._clients.get(account)
        if client is None:
            client = Client(
                account, self._auth_token, http_client=TwilioHttpClient(timeout=self._timeout_s)
            )
            # Every Calls request goes to the configured API (Twilio, or a local stand-in).
            client.api.base_url = self._api_url
            self._clients[account] = client
        return client

    async def _update(self, account_sid: str, call_sid: str, **fields: str) -> None:
        client = self._client(account_sid)

        def update() -> None:
            client.calls(call_sid).update(**fields)

        try:
            await asyncio.to_thread(update)
        except (TwilioException, OSError) as exc:
            raise CallControlError(
                f"Twilio call update failed ({', '.join(fields)}): {exc}; check "
                "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and PARLEY_EDGE_TWILIO_API_URL"
            ) from exc
