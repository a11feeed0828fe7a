"""A transcript written with text sealing on, through a real broker: the record holds no
caller words, a consumer with the key reads them, `parley inspect` shows them only when
it has the key."""

from __future__ import annotations

import asyncio
import uuid

import orjson
import pytest
from cryptography.fernet import Fernet
from parley_bus import BusPublisher, KafkaSettings, build_broker, event_decoder
from parley_contracts import TRANSCRIPTS, Transcript, transcript_event_decoder
from parley_ops import read_topics
from parley_ops.cli import main as parley

from tests.support.events import final_transcript

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("restore_text_sealing")]

KEY = Fernet.generate_key().decode()
WORDS = "my date of birth is the fourth of July"


def _settings(monkeypatch: pytest.MonkeyPatch, bootstrap: str, **env: str) -> KafkaSettings:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", bootstrap)
    for name in ("PARLEY_KAFKA_ENCRYPT_TEXT", "PARLEY_SESSIONS_ENCRYPTION_KEYS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return KafkaSettings()


async def _publish_and_consume(settings: KafkaSettings, session: str) -> str:
    broker = build_broker(settings.kafka_connection(), client_id="sealed-text-test")
    heard: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    @broker.subscriber(
        TRANSCRIPTS.name,
        group_id=f"sealed-{session}",
        auto_offset_reset="earliest",
        decoder=event_decoder(transcript_event_decoder),
    )
    async def handle(event: Transcript | None) -> None:
        if event is not None and event.session_id == session and not heard.done():
            heard.set_result(event.text)

    transcript = final_transcript(session, WORDS)
    await broker.start()
    try:
        await BusPublisher(broker).event(TRANSCRIPTS, transcript)
        return await asyncio.wait_for(heard, timeout=30)
    finally:
        await broker.stop()


def _inspected_text(capsys: pytest.CaptureFixture[str], bootstrap: str, session: str) -> str:
    capsys.readouterr()
    assert (
        parley(["--bootstrap", bootstrap, "inspect", "transcripts", "--session", session, "--json"])
        == 0
    )
    [line] = capsys.readouterr().out.splitlines()
    text: str = orjson.loads(line)["text"]
    return text


async def test_a_sealed_transcript_is_opened_only_where_the_key_is(
    stack_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bootstrap = stack_env["KAFKA_BOOTSTRAP_SERVERS"]
    session = str(uuid.uuid4())
    settings = _settings(
        monkeypatch,
        bootstrap,
        PARLEY_KAFKA_ENCRYPT_TEXT="true",
        PARLEY_SESSIONS_ENCRYPTION_KEYS=KEY,
    )

    assert await _publish_and_consume(settings, session) == WORDS

    [record] = [
        r async for r in read_topics(settings.kafka_connection(), [TRANSCRIPTS], session=session)
    ]
    assert b"fourth of July" not in (record.value or b"")
    assert orjson.loads(record.value or b"")["text"].keys() == {"sealed", "keyId"}

    # parley inspect reads the keys with the other Kafka settings, from the environment.
    assert await asyncio.to_thread(_inspected_text, capsys, bootstrap, session) == WORDS
    _settings(monkeypatch, bootstrap)
    assert await asyncio.to_thread(_inspected_text, capsys, bootstrap, session) == "<encrypted>"
