"""Writing connection settings as a ``KEY=value`` file other programs can source."""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping
from pathlib import Path


def render_env(settings: Mapping[str, str]) -> str:
    """``KEY=value`` lines, quoted for POSIX shells (plain values stay unquoted)."""
    return "".join(f"{key}={shlex.quote(value)}\n" for key, value in sorted(settings.items()))


def write_env_file(path: Path, settings: Mapping[str, str]) -> None:
    """Write atomically, so a reader polling for the file never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(render_env(settings), encoding="utf-8")
    os.replace(partial, path)
