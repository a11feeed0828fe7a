"""The demo receptionist's answers to transcribed (imperfect) speech."""

from __future__ import annotations

from parley_agent.receptionist import answer

FRONT_DESK = "+15550100000"


def reply(utterance: str, context: list[dict[str, str]] | None = None) -> str:
    return answer("utterance", utterance, context or [], None, FRONT_DESK).reply


def test_greets_on_call_start() -> None:
    assert "how can i help" in answer("call_started", "", [], None, FRONT_DESK).reply.lower()


def test_booking_asks_for_a_time_then_confirms_it_from_context() -> None:
    first = reply("i would like to book an appointment")
    assert "what day and time" in first.lower()
    context = [{"role": "caller", "text": "book an appointment"}, {"role": "agent", "text": first}]
    assert "booked you in for tomorrow" in reply("tomorrow at two", context)


def test_opening_hours_by_day() -> None:
    assert "Monday we open at nine" in reply("what time do you open on monday")
    assert "closed on Sunday" in reply("are you open on sunday")


def test_goodbye_hangs_up() -> None:
    result = answer("utterance", "that is all for today goodbye", [], None, FRONT_DESK)
    assert [a["type"] for a in result.actions] == ["hangup"]


def test_zero_on_the_keypad_transfers_to_the_front_desk() -> None:
    result = answer("dtmf", "", [], "0", FRONT_DESK)
    assert result.actions == [{"type": "transfer", "to": FRONT_DESK}]


def test_services_reply_is_long_enough_to_interrupt() -> None:
    assert len(reply("what treatment you offer")) > 300
