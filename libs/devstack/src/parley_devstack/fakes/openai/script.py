"""What the fake model answers, keyed by the conversation: a rule matches the last user
message (by a case-insensitive phrase) or the last tool result (by the tool's name and,
optionally, a phrase in the result). The first matching rule wins; otherwise the default.

The JSON form (``--script FILE`` or ``POST /_fake/script``)::

    {"default": "Sorry, could you say that again?",
     "rules": [
       {"user": "opening hours", "reply": "We open at nine. We close at five."},
       {"user": "book",
        "tool_calls": [{"name": "calendar_lookup", "arguments": {"day": "monday"}}]},
       {"tool": "calendar_lookup", "result_contains": "free", "reply": "Monday at ten is free."}
     ]}
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class ScriptError(ValueError):
    """A script that cannot be read; the message says which part is wrong."""


@dataclass(frozen=True)
class ScriptedCall:
    name: str
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ScriptedReply:
    text: str | None = None
    tool_calls: tuple[ScriptedCall, ...] = ()


@dataclass(frozen=True)
class Rule:
    reply: ScriptedReply
    user: str | None = None
    """Match when the last message is the user's and contains this phrase."""
    tool: str | None = None
    """Match when the last message is the result of a call of this tool."""
    result_contains: str | None = None

    def matches(self, last: dict[str, Any], called: str | None) -> bool:
        text = message_text(last).lower()
        if last.get("role") == "user" and self.user is not None:
            return self.user.lower() in text
        if last.get("role") == "tool" and self.tool is not None and self.tool == called:
            return self.result_contains is None or self.result_contains.lower() in text
        return False


@dataclass
class Script:
    rules: list[Rule] = field(default_factory=list)
    default: str = "Sorry, could you say that again?"

    def reply_for(self, messages: list[dict[str, Any]]) -> ScriptedReply:
        if not messages:
            return ScriptedReply(self.default)
        last = messages[-1]
        called = _called_tool(messages, str(last.get("tool_call_id", "")))
        for rule in self.rules:
            if rule.matches(last, called):
                return rule.reply
        return ScriptedReply(self.default)

    def on_user(self, phrase: str, reply: str) -> None:
        self.rules.append(Rule(ScriptedReply(reply), user=phrase))

    def on_user_call(self, phrase: str, name: str, **arguments: Any) -> None:
        call = ScriptedCall(name, arguments)
        self.rules.append(Rule(ScriptedReply(tool_calls=(call,)), user=phrase))

    def on_tool(self, name: str, reply: str, result_contains: str | None = None) -> None:
        self.rules.append(Rule(ScriptedReply(reply), tool=name, result_contains=result_contains))

    @classmethod
    def from_json(cls, document: Any) -> Script:
        if not isinstance(document, dict):
            raise ScriptError('a script is a JSON object: {"default": ..., "rules": [...]}')
        rules = [_rule(entry, number) for number, entry in enumerate(document.get("rules", []))]
        return cls(rules, str(document.get("default", cls.default)))

    @classmethod
    def load(cls, path: Path) -> Script:
        try:
            return cls.from_json(json.loads(path.read_text()))
        except (OSError, json.JSONDecodeError) as exc:
            raise ScriptError(f"cannot read the script {path}: {exc}") from exc


def message_text(message: dict[str, Any]) -> str:
    """A message's text: its content string, or its text parts joined."""
    content = message.get("content")
    if isinstance(content, list):
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return content if isinstance(content, str) else ""


def _called_tool(messages: list[dict[str, Any]], call_id: str) -> str | None:
    for message in reversed(messages):
        for call in message.get("tool_calls") or []:
            if call.get("id") == call_id:
                return str(call.get("function", {}).get("name"))
    return None


def _rule(entry: Any, number: int) -> Rule:
    if not isinstance(entry, dict) or ("user" in entry) == ("tool" in entry):
        raise ScriptError(f'rule {number}: give exactly one of "user" or "tool"')
    calls = entry.get("tool_calls", [])
    if ("reply" in entry) == bool(calls):
        raise ScriptError(f'rule {number}: give exactly one of "reply" or "tool_calls"')
    try:
        scripted = tuple(ScriptedCall(str(c["name"]), dict(c.get("arguments", {}))) for c in calls)
    except (KeyError, TypeError, ValueError) as exc:
        raise ScriptError(f"rule {number}: each tool call needs a name and an object") from exc
    reply = ScriptedReply(entry.get("reply"), scripted)
    return Rule(reply, entry.get("user"), entry.get("tool"), entry.get("result_contains"))
