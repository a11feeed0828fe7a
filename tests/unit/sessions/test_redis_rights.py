"""Parley's Redis ACL rule covers what its parts really run, and nothing more."""

from __future__ import annotations

import re
from pathlib import Path

from parley_janitor import rate_limit
from parley_sessions import call_index, parley_acl_rule
from parley_sessions.redis_acl import PARLEY_RIGHTS, RATE_LIMIT_PREFIX, RATE_LIMITS
from parley_sessions.redis_rights import RedisRights

_CALL = re.compile(r"redis\.call\('([A-Z]+)'")


def script_commands(*scripts: str) -> set[str]:
    return {name.lower() for script in scripts for name in _CALL.findall(script)}


def allows(rights: RedisRights, commands: set[str]) -> set[str]:
    """The commands of ``commands`` the rights leave out."""
    return commands - set(rights.commands)


def test_every_command_the_call_index_scripts_run_is_granted() -> None:
    scripts = (call_index._CLAIM, call_index._START, call_index._END, call_index._LOOKUP)
    assert allows(call_index.RIGHTS, script_commands(*scripts)) == set()


def test_every_command_the_rate_limit_script_runs_is_granted() -> None:
    assert allows(RATE_LIMITS, script_commands(rate_limit._COUNT)) == set()
    assert rate_limit.KEY_PREFIX == RATE_LIMIT_PREFIX


def test_the_rule_allows_parleys_keys_and_commands_only() -> None:
    rule = parley_acl_rule().split()
    assert rule[0] == "resetkeys" and "resetchannels" in rule and "-@all" in rule
    keys = [r for r in rule if r.startswith("~")]
    assert keys and all(k.startswith("~parley:") for k in keys)
    granted = [r for r in rule if r.startswith("+")]
    assert not [g for g in granted if g.startswith("+@")], "no command categories"
    for part in PARLEY_RIGHTS:
        assert {f"+{c}" for c in part.commands} <= set(granted), part.part
        assert {f"~{k}" for k in part.keys} <= set(keys), part.part


def test_the_deployment_guide_gives_the_rule_the_code_needs() -> None:
    guide = (Path(__file__).resolve().parents[3] / "docs" / "deploy.md").read_text()
    rule = parley_acl_rule()
    assert rule in guide
    # ElastiCache's access string: the same rights, without the reset words it refuses.
    access_string = " ".join(w for w in rule.split() if not w.startswith("reset"))
    assert f'--access-string "on {access_string}"' in guide
