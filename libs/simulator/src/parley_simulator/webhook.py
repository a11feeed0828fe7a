"""The voice webhook, as Twilio sends it: signed form POST, TwiML back."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import httpx
from twilio.request_validator import RequestValidator


class CallRejectedError(RuntimeError):
    """The edge answered without connecting a media stream."""


@dataclass(frozen=True)
class StreamInstructions:
    url: str
    parameters: dict[str, str] = field(default_factory=dict)


def sign(auth_token: str, url: str, params: dict[str, str]) -> str:
    return str(RequestValidator(auth_token).compute_signature(url, params))


def parse_connect_twiml(twiml: str) -> StreamInstructions:
    try:
        root = ET.fromstring(twiml)
    except ET.ParseError as exc:
        raise CallRejectedError(f"edge answered with invalid TwiML: {exc}") from None
    stream = root.find("./Connect/Stream")
    if stream is None or not stream.get("url"):
        said = " ".join(s.text or "" for s in root.iter("Say")).strip()
        raise CallRejectedError(f"edge did not connect a stream{': ' + said if said else ''}")
    params = {p.get("name", ""): p.get("value", "") for p in stream.iter("Parameter")}
    return StreamInstructions(url=stream.get("url", ""), parameters=params)


async def post_signed(
    client: httpx.AsyncClient, url: str, auth_token: str, params: dict[str, str]
) -> httpx.Response:
    return await client.post(
        url, data=params, headers={"X-Twilio-Signature": sign(auth_token, url, params)}
    )


async def request_stream(
    client: httpx.AsyncClient, edge_url: str, auth_token: str, params: dict[str, str]
) -> StreamInstructions:
    response = await post_signed(client, f"{edge_url.rstrip('/')}/twilio/voice", auth_token, params)
    if response.status_code != 200:
        raise CallRejectedError(
            f"voice webhook answered HTTP {response.status_code}: {response.text[:200]}"
        )
    return parse_connect_twiml(response.text)
