"""Where the stack keeps its files: the repository root, the jar cache, the run folder."""

from __future__ import annotations

import os
from pathlib import Path

CACHE_DIR_ENV = "PARLEY_CACHE_DIR"
STACK_DIR_ENV = "PARLEY_STACK_DIR"


def _is_workspace_root(directory: Path) -> bool:
    pyproject = directory / "pyproject.toml"
    try:
        return "[tool.uv.workspace]" in pyproject.read_text(encoding="utf-8")
    except OSError:
        return False


def repo_root() -> Path:
    """The Parley repository root (the uv workspace), or the current directory.

    Looks upward from the current directory first so a checkout used from inside
    wins, then from this package (an editable install lives inside the checkout).
    """
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        for directory in (start, *start.parents):
            if _is_workspace_root(directory):
                return directory
    return Path.cwd()


def cache_dir() -> Path:
    """Root of downloaded artefacts: ``$PARLEY_CACHE_DIR`` or ``<repo>/.cache``."""
    override = os.environ.get(CACHE_DIR_ENV)
    return Path(override).expanduser().resolve() if override else repo_root() / ".cache"


def stack_dir() -> Path:
    """Where ``parley-stack up`` keeps service data: ``$PARLEY_STACK_DIR`` or ``<repo>/.stack``."""
    override = os.environ.get(STACK_DIR_ENV)
    return Path(override).expanduser().resolve() if override else repo_root() / ".stack"
