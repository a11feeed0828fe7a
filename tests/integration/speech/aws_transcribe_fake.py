"""The Amazon Transcribe provider, through Amazon's SDK, against the local Transcribe
fake (HTTP/2 over TLS on loopback, its CA trusted through AWS_CA_BUNDLE)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from parley_devstack.fakes.aws_transcribe import FakeAwsTranscribe
from parley_speech import ReconnectPolicy
from parley_speech.aws import AwsTranscribeRecognizer, AwsTranscribeSettings

if TYPE_CHECKING:
    from tests.integration.speech.providers_under_test import ProviderUnderTest

FAST_RETRIES = ReconnectPolicy(delays_s=(0.05, 0.1, 0.2, 0.2, 0.2), rate_limit_base_s=0.1)


def environment_for(fake: FakeAwsTranscribe) -> dict[str, str]:
    """The standard AWS variables pointing the provider at the fake."""
    return {
        "AWS_REGION": fake.controls.region,
        "AWS_ENDPOINT_URL_TRANSCRIBE_STREAMING": fake.url,
        "AWS_CA_BUNDLE": str(fake.ca_file),
        "AWS_ACCESS_KEY_ID": fake.controls.access_key_id,
        "AWS_SECRET_ACCESS_KEY": "not-checked-by-the-fake",
    }


def settings_for(fake: FakeAwsTranscribe, **overrides: object) -> AwsTranscribeSettings:
    values: dict[str, object] = {
        "region": fake.controls.region,
        "endpoint_url": fake.url,
        "ca_bundle": fake.ca_file,
        "access_key_id": fake.controls.access_key_id,
        "secret_access_key": "not-checked-by-the-fake",
    }
    return AwsTranscribeSettings.model_validate(values | overrides)


@asynccontextmanager
async def aws_transcribe_provider() -> AsyncIterator[ProviderUnderTest]:
    """The contract suite's view: the fake hears the audio, the script says the words.
    Transcribe recognises only; it has no synthesizer."""
    from tests.integration.speech.providers_under_test import ProviderUnderTest

    async with FakeAwsTranscribe() as fake:
        recognizer = AwsTranscribeRecognizer(settings_for(fake), FAST_RETRIES)

        def script(lines: list[str]) -> None:
            fake.controls.script.clear()
            fake.controls.say(*lines)

        try:
            yield ProviderUnderTest("aws-transcribe", recognizer, None, script)
        finally:
            await recognizer.aclose()
