"""Starting one service as its own process and reading why it stopped at start-up."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping

from parley_devstack.fleet import janitor_key_entry, new_janitor_key
from parley_devstack.ports import free_port


def start_up_output(service: str, env: Mapping[str, str]) -> str:
    """What ``parley_<service>`` printed before it stopped; fails the test if it kept
    running (two minutes) or exited cleanly. ``env`` goes over the test's environment,
    with a free port of its own."""
    result = subprocess.run(
        [sys.executable, "-m", f"parley_{service}"],
        env={
            **os.environ,
            f"PARLEY_{service.upper()}_PORT": str(free_port()),
            # As the fleet starts them: the janitor has a key, so it gets as far as the rest.
            "PARLEY_JANITOR_API_KEYS": janitor_key_entry(new_janitor_key()),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0, f"{service} started: {result.stderr[-2000:]}"
    return result.stdout + result.stderr
