from __future__ import annotations

from parley_sessions import HistoryWindow, ToolCall, Turn, estimate_tokens, history_window


def turns(count: int, words: int = 5) -> list[Turn]:
    return [
        Turn(turn_id=i, user_utterance=" ".join(["word"] * words), agent_response="ok")
        for i in range(1, count + 1)
    ]


def test_keeps_the_newest_turns_in_order_within_the_turn_limit() -> None:
    kept = history_window(turns(30), HistoryWindow(max_turns=20, max_tokens=4000))
    assert [t.turn_id for t in kept] == list(range(11, 31))


def test_token_limit_drops_oldest_first_when_it_is_the_smaller_limit() -> None:
    history = turns(10, words=50)  # 50 + 2 tokens per turn
    kept = history_window(history, HistoryWindow(max_turns=20, max_tokens=200))
    assert [t.turn_id for t in kept] == [8, 9, 10]


def test_a_single_oversized_turn_is_not_sent() -> None:
    assert history_window(turns(1, words=500), HistoryWindow(max_tokens=100)) == []


def test_tool_calls_count_only_when_included() -> None:
    turn = Turn(
        turn_id=1,
        user_utterance="book it",
        agent_response="done",
        tool_calls=[ToolCall(name="calendar_book", arguments={"slot": "tomorrow 14:00"})],
    )
    without = history_window([turn], HistoryWindow(max_tokens=5))
    with_calls = history_window([turn], HistoryWindow(max_tokens=5, include_tool_calls=True))
    assert without == [turn] and with_calls == []


def test_token_estimate_counts_words_and_punctuation() -> None:
    assert estimate_tokens("Hi, you!") == 4
    assert estimate_tokens("Hello, world!") == 6
    assert estimate_tokens("internationalisation") == 5
    assert estimate_tokens("") == 0
