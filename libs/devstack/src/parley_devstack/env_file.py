"""Settings files: ``.env`` read the way the services read it, ``stack.env`` written.

The services read ``.env`` with pydantic-settings, where the process environment wins
over the file. The launcher resolves its own defaults against the same two layers in
the same order, so what ``make run`` does and what each service sees agree.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from dotenv import dotenv_values

SettingSource = Literal["the environment", ".env"]


def render_env(settings: Mapping[str, str]) -> str:
    """``KEY=value`` lines, quoted for POSIX shells (plain values stay unquoted)."""
    return "".join(f"{key}={shlex.quote(value)}\n" for key, value in sorted(settings.items()))


def write_env_file(path: Path, settings: Mapping[str, str]) -> None:
    """Write atomically, so a reader polling for the file never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(render_env(settings), encoding="utf-8")
    os.replace(partial, path)


def read_env_file(path: Path) -> dict[str, str]:
    """The settings in a ``.env`` file ({} if there is none), parsed by python-dotenv as
    pydantic-settings parses it; a bare ``KEY`` without a value is no setting."""
    if not path.is_file():
        return {}
    return {key: value for key, value in dotenv_values(path).items() if value is not None}


@dataclass(frozen=True)
class UserSettings:
    """What the user asked for: the process environment over ``.env``.

    Both layers override the launcher's defaults; the environment overrides ``.env``.
    """

    environ: Mapping[str, str] = field(default_factory=dict)
    dotenv: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, dotenv_path: Path, environ: Mapping[str, str] | None = None) -> UserSettings:
        return cls(dict(os.environ if environ is None else environ), read_env_file(dotenv_path))

    def merged(self) -> dict[str, str]:
        return {**self.dotenv, **self.environ}

    def get(self, name: str) -> str | None:
        return self.environ.get(name, self.dotenv.get(name))

    def source(self, name: str) -> SettingSource | None:
        """Where ``name`` was set, or None when the launcher's default applies."""
        if name in self.environ:
            return "the environment"
        return ".env" if name in self.dotenv else None
