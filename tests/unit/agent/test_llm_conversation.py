"""A turn's request as the chat the model reads."""

from __future__ import annotations

from parley_agent.contract import Turn
from parley_agent.llm.conversation import CALL_STARTED, NOTHING_HEARD, TurnRequest, chat_for


def test_the_context_alternates_user_and_assistant_after_the_system_prompt() -> None:
    context = [Turn(role="caller", text="hi"), Turn(role="agent", text="Hello.")]
    request = TurnRequest("s-1", "utterance", utterance="opening hours", context=context)
    assert chat_for("Be brief.", request) == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "Hello."},
        {"role": "user", "content": "opening hours"},
    ]


def test_an_interrupted_reply_is_marked_so_the_model_knows_it_was_not_heard() -> None:
    context = [Turn(role="agent", text="We open at nine and", interrupted=True)]
    messages = chat_for("", TurnRequest("s-1", "utterance", utterance="ok", context=context))
    assert messages[1]["content"].startswith("We open at nine and [")  # type: ignore[union-attr]
    assert "interrupted" in str(messages[1]["content"])


def test_events_that_are_not_words_become_notes() -> None:
    assert chat_for("", TurnRequest("s-1", "call_started"))[-1]["content"] == CALL_STARTED
    dtmf = chat_for("", TurnRequest("s-1", "dtmf", dtmf="#"))[-1]["content"]
    assert "pressed the key #" in str(dtmf)
    silent = chat_for("", TurnRequest("s-1", "utterance", utterance="  "))[-1]["content"]
    assert silent == NOTHING_HEARD
