"""TwiML the edge answers the voice webhook with."""

from __future__ import annotations

from twilio.twiml.voice_response import Connect, VoiceResponse

MEDIA_PATH = "/twilio/media"


def media_stream_url(public_url: str) -> str:
    """Twilio streams over wss; a plain-http public URL (local runs) maps to ws."""
    base = public_url.rstrip("/")
    if base.startswith("https://"):
        base = "wss://" + base.removeprefix("https://")
    elif base.startswith("http://"):
        base = "ws://" + base.removeprefix("http://")
    return base + MEDIA_PATH


def connect_twiml(public_url: str, parameters: dict[str, str]) -> str:
    """``<Connect><Stream>`` to our media socket, then ``<Hangup/>``.

    With ``<Connect>`` Twilio runs the next verb only when our side closes the socket,
    so closing it is how the edge ends a call it is done with.
    """
    response = VoiceResponse()
    connect = Connect()
    stream = connect.stream(url=media_stream_url(public_url))
    for name, value in parameters.items():
        stream.parameter(name=name, value=value)
    response.append(connect)
    response.hangup()
    return str(response)


def fallback_twiml(message: str) -> str:
    response = VoiceResponse()
    response.say(message)
    response.hangup()
    return str(response)


def hangup_twiml() -> str:
    """For a webhook replayed after its call ended: nothing to connect, nothing to say."""
    response = VoiceResponse()
    response.hangup()
    return str(response)
