"""Twilio request signature checks (X-Twilio-Signature)."""

from __future__ import annotations

from collections.abc import Mapping

from twilio.request_validator import RequestValidator

from parley_edge.carriers.base import WebhookVerifier


class TwilioSignatureVerifier(WebhookVerifier):
    def __init__(self, auth_token: str, public_url: str) -> None:
        self._validator = RequestValidator(auth_token)
        self._public_url = public_url.rstrip("/")

    def signed_url(self, path: str, query: str = "") -> str:
        """The URL Twilio signed: the public one, not what a proxy forwarded to us."""
        return f"{self._public_url}{path}" + (f"?{query}" if query else "")

    def is_valid_url(self, url: str, params: Mapping[str, str], signature: str | None) -> bool:
        if not signature:
            return False
        return bool(self._validator.validate(url, dict(params), signature))

    def is_valid(
        self, path: str, query: str, params: Mapping[str, str], signature: str | None
    ) -> bool:
        return self.is_valid_url(self.signed_url(path, query), params, signature)
