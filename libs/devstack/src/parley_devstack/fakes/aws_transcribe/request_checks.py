"""The checks Transcribe makes of a ``StartStreamTranscription`` request before any audio,
with the error types and messages it answers a bad one with.

The SigV4 ``Authorization`` header is checked for shape, access key, region and service,
not recomputed: the fake holds no secret, and the SDK's signer is AWS's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parley_devstack.fakes.aws_transcribe.controls import TranscribeFakeControls

PATH = "/stream-transcription"
ENCODINGS = ("pcm", "ogg-opus", "flac")
LANGUAGES = (
    "en-US", "en-GB", "en-AU", "en-IN", "es-US", "es-ES", "fr-FR", "fr-CA", "de-DE",
    "it-IT", "pt-BR", "ja-JP", "ko-KR", "zh-CN", "hi-IN",
)  # fmt: skip
"""A part of Transcribe streaming's languages, enough to tell a typo from a language."""
_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[A-Z0-9]{16,128})/(?P<date>\d{8})/"
    r"(?P<region>[a-z0-9-]+)/(?P<service>[a-z0-9-]+)/aws4_request, "
    r"SignedHeaders=(?P<signed>[a-z0-9;-]+), Signature=[0-9a-f]{64}"
)
_AMZ_DATE = re.compile(r"\d{8}T\d{6}Z")


@dataclass(frozen=True, slots=True)
class Refusal:
    status: int
    error_type: str
    message: str


@dataclass(frozen=True, slots=True)
class StreamOptions:
    language: str
    stabilise: bool


def _auth_refusal(headers: dict[str, str], controls: TranscribeFakeControls) -> Refusal | None:
    authorization = headers.get("authorization")
    if not authorization or not _AMZ_DATE.fullmatch(headers.get("x-amz-date", "")):
        return Refusal(403, "MissingAuthenticationTokenException", "Missing Authentication Token")
    match = _AUTHORIZATION.fullmatch(authorization)
    if match is None:
        return Refusal(403, "IncompleteSignatureException", "Authorization header is malformed.")
    if match["key"] != controls.access_key_id:
        return Refusal(
            403,
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        )
    if match["region"] != controls.region:
        return Refusal(
            403, "InvalidSignatureException", "Credential should be scoped to a valid region."
        )
    if match["service"] != "transcribe":
        return Refusal(
            403,
            "InvalidSignatureException",
            "Credential should be scoped to correct service: 'transcribe'.",
        )
    if not {"host", "x-amz-date"} <= set(match["signed"].split(";")):
        return Refusal(403, "InvalidSignatureException", "host and x-amz-date must be signed.")
    return None


def _bad_request(message: str) -> Refusal:
    return Refusal(400, "BadRequestException", message)


def check_request(
    method: str, path: str, headers: dict[str, str], controls: TranscribeFakeControls
) -> StreamOptions | Refusal:
    if method != "POST" or path != PATH:
        return Refusal(404, "UnknownOperationException", f"No such operation: {method} {path}")
    if (refusal := _auth_refusal(headers, controls)) is not None:
        return refusal
    language = headers.get("x-amzn-transcribe-language-code", "")
    if language not in LANGUAGES:
        return _bad_request(
            f"1 validation error detected: Value '{language}' at 'languageCode' failed to "
            "satisfy constraint: Member must satisfy enum value set"
        )
    encoding = headers.get("x-amzn-transcribe-media-encoding", "")
    if encoding not in ENCODINGS:
        return _bad_request(f"Unsupported media encoding: '{encoding}'")
    rate = headers.get("x-amzn-transcribe-sample-rate", "")
    if not rate.isdigit() or not 8000 <= int(rate) <= 48000:
        return _bad_request(
            f"1 validation error detected: Value '{rate}' at 'mediaSampleRateHertz' failed "
            "to satisfy constraint: Member must have value between 8000 and 48000"
        )
    if (encoding, rate) != ("pcm", "8000"):
        return _bad_request(f"the fake only hears pcm at 8000 Hz, not {encoding} at {rate}")
    # A boolean header: the SDK sends Python's "True".
    stabilise = headers.get("x-amzn-transcribe-enable-partial-results-stabilization", "")
    return StreamOptions(language, stabilise.lower() == "true")
