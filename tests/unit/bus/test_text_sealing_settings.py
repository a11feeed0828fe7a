"""Reading the Kafka settings sets how the process seals event text, and refuses sealing
that could not work."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from parley_bus import KafkaSettings
from parley_contracts.codec import text_sealing
from pydantic import ValidationError

pytestmark = pytest.mark.usefixtures("restore_text_sealing")


def test_the_settings_turn_sealing_on_with_the_session_keys() -> None:
    KafkaSettings(
        kafka_encrypt_text=True,
        session_encryption_keys=Fernet.generate_key().decode(),
    )
    assert text_sealing().seal and text_sealing().keyring


def test_sealing_is_off_by_default_but_the_keys_still_open() -> None:
    KafkaSettings(session_encryption_keys=Fernet.generate_key().decode())
    assert not text_sealing().seal and text_sealing().keyring


def test_sealing_without_keys_or_with_a_bad_key_is_refused_naming_the_setting() -> None:
    with pytest.raises(ValidationError, match="PARLEY_SESSIONS_ENCRYPTION_KEYS is empty"):
        KafkaSettings(kafka_encrypt_text=True)
    with pytest.raises(ValidationError, match="not a valid Fernet key"):
        KafkaSettings(session_encryption_keys="not-a-key")
