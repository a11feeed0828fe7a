"""The OpenAI fake's script: which reply the conversation gets."""

from __future__ import annotations

from typing import Any

import pytest
from parley_devstack.fakes.openai.script import Script, ScriptedCall, ScriptError


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


def tool_result(call_id: str, name: str, result: str) -> list[dict[str, Any]]:
    call = {"id": call_id, "type": "function", "function": {"name": name, "arguments": "{}"}}
    return [
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": call_id, "content": result},
    ]


def test_the_first_rule_matching_the_last_user_message_wins() -> None:
    script = Script()
    script.on_user("hours", "We open at nine.")
    script.on_user("", "Anything else.")
    assert script.reply_for([user("What are your HOURS?")]).text == "We open at nine."
    assert script.reply_for([user("hello")]).text == "Anything else."


def test_a_user_rule_does_not_answer_a_tool_result() -> None:
    script = Script(default="default")
    script.on_user("", "user rule")
    script.on_tool("calendar", "Monday is free.", result_contains="free")
    messages = [user("book"), *tool_result("call_1", "calendar", "monday: free")]
    assert script.reply_for(messages).text == "Monday is free."
    busy = [user("book"), *tool_result("call_2", "calendar", "monday: busy")]
    assert script.reply_for(busy).text == "default"


def test_text_parts_are_read_as_the_message() -> None:
    script = Script()
    script.on_user_call("book", "calendar", day="monday")
    reply = script.reply_for([{"role": "user", "content": [{"type": "text", "text": "book"}]}])
    assert reply.tool_calls == (ScriptedCall("calendar", {"day": "monday"}),)


def test_a_script_file_is_read_from_json() -> None:
    script = Script.from_json(
        {
            "default": "Pardon?",
            "rules": [
                {"user": "bye", "tool_calls": [{"name": "end_call"}]},
                {"tool": "end_call", "reply": "Goodbye."},
            ],
        }
    )
    assert script.reply_for([user("bye now")]).tool_calls == (ScriptedCall("end_call"),)
    assert script.reply_for([user("huh")]).text == "Pardon?"


@pytest.mark.parametrize(
    ("document", "complaint"),
    [
        ([], "a script is a JSON object"),
        ({"rules": [{"reply": "x"}]}, 'exactly one of "user" or "tool"'),
        ({"rules": [{"user": "x"}]}, 'exactly one of "reply" or "tool_calls"'),
        ({"rules": [{"user": "x", "tool_calls": [{"arguments": {}}]}]}, "needs a name"),
    ],
)
def test_a_wrong_script_says_what_is_wrong(document: Any, complaint: str) -> None:
    with pytest.raises(ScriptError, match=complaint):
        Script.from_json(document)
