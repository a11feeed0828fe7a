"""Locating the PostgreSQL server programs (Debian keeps them off PATH)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from parley_devstack.errors import MissingDependencyError

BIN_DIR_ENV = "PARLEY_PG_BINDIR"
PREFERRED_MAJOR = 15
_DEBIAN_ROOT = Path("/usr/lib/postgresql")
_PROGRAMS = ("initdb", "postgres", "pg_isready", "psql")


def _has_programs(directory: Path) -> bool:
    return all((directory / program).is_file() for program in _PROGRAMS)


def _major(directory: Path) -> int:
    try:
        return int(directory.name)
    except ValueError:
        return -1


def _candidates() -> list[Path]:
    override = os.environ.get(BIN_DIR_ENV)
    if override:
        return [Path(override)]
    found: list[Path] = []
    preferred = _DEBIAN_ROOT / str(PREFERRED_MAJOR) / "bin"
    found.append(preferred)
    if _DEBIAN_ROOT.is_dir():
        versions = sorted(_DEBIAN_ROOT.iterdir(), key=_major, reverse=True)
        found.extend(version / "bin" for version in versions)
    on_path = shutil.which("initdb")
    if on_path is not None:
        found.append(Path(on_path).resolve().parent)
    return found


def find_postgres_bin_dir() -> Path | None:
    """The folder with initdb, postgres, pg_isready and psql, or None.

    ``$PARLEY_PG_BINDIR`` wins; otherwise Debian's PostgreSQL 15, then the newest
    other Debian version, then whatever ``initdb`` is on PATH.
    """
    for candidate in _candidates():
        if _has_programs(candidate):
            return candidate
    return None


def require_postgres_bin_dir() -> Path:
    """Like :func:`find_postgres_bin_dir` but raises a helpful error when missing."""
    bin_dir = find_postgres_bin_dir()
    if bin_dir is None:
        raise MissingDependencyError(
            "PostgreSQL server programs (initdb, postgres) were not found in "
            f"{_DEBIAN_ROOT}/<version>/bin or on PATH; run `parley-stack install` as root, "
            f"`apt-get install postgresql`, or set {BIN_DIR_ENV}"
        )
    return bin_dir
