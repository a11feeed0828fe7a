"""Installing what the local stack needs: Debian packages and the Kafka jars."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from parley_devstack.errors import DevstackError, NotRootError
from parley_devstack.postgres_binaries import find_postgres_bin_dir

logger = logging.getLogger(__name__)

# Debian package -> check that the programs it provides are present.
SYSTEM_PACKAGES: dict[str, Callable[[], bool]] = {
    "redis-server": lambda: shutil.which("redis-server") is not None,
    "postgresql": lambda: find_postgres_bin_dir() is not None,
    "openjdk-17-jre-headless": lambda: shutil.which("java") is not None,
    "maven": lambda: shutil.which("mvn") is not None,
}
_POLICY_RC = Path("/usr/sbin/policy-rc.d")


def missing_system_packages() -> list[str]:
    """Debian packages whose programs are not installed."""
    return [package for package, present in SYSTEM_PACKAGES.items() if not present()]


def apt_command(packages: list[str]) -> str:
    """The command an operator would run by hand to install ``packages``."""
    return f"apt-get update && apt-get install -y --no-install-recommends {' '.join(packages)}"


@contextlib.contextmanager
def _services_not_started() -> Iterator[None]:
    """Keep apt from starting the system-wide Redis and PostgreSQL daemons.

    The stack runs its own instances on random ports; a Debian postinst would
    otherwise start servers on 6379 and 5432 that nobody stops. A policy-rc.d that
    exits 101 is Debian's documented way to say "do not start services".
    """
    if _POLICY_RC.exists():
        yield
        return
    _POLICY_RC.write_text("#!/bin/sh\nexit 101\n", encoding="ascii")
    _POLICY_RC.chmod(0o755)
    try:
        yield
    finally:
        _POLICY_RC.unlink(missing_ok=True)


def _apt_get(*args: str) -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    result = subprocess.run(["apt-get", *args], env=env, stdin=subprocess.DEVNULL, check=False)
    if result.returncode != 0:
        raise DevstackError(
            f"`apt-get {' '.join(args)}` failed with exit code {result.returncode}; "
            "see its output above"
        )


def install_system_packages() -> list[str]:
    """apt-get install the missing packages; return what was installed.

    Raises ``NotRootError`` (with the command to run) when not root.
    """
    missing = missing_system_packages()
    if not missing:
        logger.info("system packages already installed: %s", ", ".join(SYSTEM_PACKAGES))
        return []
    if os.geteuid() != 0:
        raise NotRootError(
            f"missing system packages: {', '.join(missing)}. Installing them needs root; "
            f"run:\n  sudo sh -c '{apt_command(missing)}'"
        )
    started = time.monotonic()
    logger.info("installing %s with apt-get…", " ".join(missing))
    with _services_not_started():
        _apt_get("update", "-qq")
        _apt_get("install", "-y", "-q", "--no-install-recommends", *missing)
    still_missing = missing_system_packages()
    if still_missing:
        raise DevstackError(
            f"apt-get finished but these are still missing: {', '.join(still_missing)}"
        )
    logger.info("done in %.0f s", time.monotonic() - started)
    return missing
