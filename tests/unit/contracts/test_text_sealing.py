"""Caller text sealed in events: unreadable in the record, opened with the key it names,
refused (or shown as a placeholder) without it."""

from __future__ import annotations

import orjson
import pytest
from cryptography.fernet import Fernet
from parley_contracts import (
    Keyring,
    ReplySentence,
    SealedTextError,
    SpeechStarted,
    TextSealing,
    Transcript,
    TransferCall,
    control_event_decoder,
    encode_event,
    reply_event_decoder,
    transcript_event_decoder,
    use_text_sealing,
)
from parley_contracts.keyring import key_id

from tests.support.events import final_transcript

pytestmark = pytest.mark.usefixtures("restore_text_sealing")

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()
WORDS = "my card number is 4242 4242"


def _transcript() -> Transcript:
    return final_transcript("s-1", WORDS)


def test_sealed_text_is_not_in_the_record_and_names_its_key() -> None:
    use_text_sealing(TextSealing(Keyring([NEW, OLD]), seal=True))
    raw = encode_event(_transcript())
    assert b"4242" not in raw
    document = orjson.loads(raw)
    assert document["sessionId"] == "s-1" and document["isFinal"] is True
    assert document["text"]["keyId"] == key_id(NEW)
    assert transcript_event_decoder.decode(raw).text == WORDS


def test_every_field_of_caller_or_agent_words_is_sealed() -> None:
    use_text_sealing(TextSealing(Keyring([NEW]), seal=True))
    sentence = ReplySentence(
        session_id="s", edge_slot=0, turn_id=1, index=0, text=WORDS, is_last=True
    )
    transfer = TransferCall(session_id="s", target="+441234567890", announcement=WORDS)
    for event, decoder in ((sentence, reply_event_decoder), (transfer, control_event_decoder)):
        raw = encode_event(event)
        assert b"4242" not in raw
        assert decoder.decode(raw) == event
    speech = SpeechStarted(session_id="s", edge_slot=0, offset_ms=5)
    assert transcript_event_decoder.decode(encode_event(speech)) == speech


def test_a_rotated_keyring_opens_text_sealed_with_the_retired_key() -> None:
    use_text_sealing(TextSealing(Keyring([OLD]), seal=True))
    raw = encode_event(_transcript())
    use_text_sealing(TextSealing(Keyring([NEW, OLD])))
    assert transcript_event_decoder.decode(raw).text == WORDS


def test_without_the_key_the_text_is_refused_or_shown_as_a_placeholder() -> None:
    use_text_sealing(TextSealing(Keyring([OLD]), seal=True))
    raw = encode_event(_transcript())
    use_text_sealing(TextSealing(Keyring([NEW])))
    with pytest.raises(
        SealedTextError, match=f"key id {key_id(OLD)}.*PARLEY_SESSIONS_ENCRYPTION_KEYS"
    ):
        transcript_event_decoder.decode(raw)
    assert transcript_event_decoder.decode(raw, unopened="<encrypted>").text == "<encrypted>"
    use_text_sealing(TextSealing(Keyring()))
    assert transcript_event_decoder.decode(raw, unopened="<encrypted>").text == "<encrypted>"


def test_altered_sealed_text_is_refused() -> None:
    use_text_sealing(TextSealing(Keyring([NEW]), seal=True))
    document = orjson.loads(encode_event(_transcript()))
    document["text"]["sealed"] = document["text"]["sealed"][:-8] + "AAAAAAAA"
    with pytest.raises(SealedTextError, match="does not open"):
        transcript_event_decoder.decode(orjson.dumps(document))


def test_sealing_off_writes_plain_text_that_any_reader_decodes() -> None:
    use_text_sealing(TextSealing(Keyring([NEW])))
    raw = encode_event(_transcript())
    assert orjson.loads(raw)["text"] == WORDS
    use_text_sealing(TextSealing(Keyring()))
    assert transcript_event_decoder.decode(raw).text == WORDS


def test_sealing_without_a_key_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one key"):
        TextSealing(Keyring(), seal=True)
