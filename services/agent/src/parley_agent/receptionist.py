"""The demo agent's brain: a small dental-practice receptionist.

Input comes from speech recognition (lower case, no punctuation, the odd wrong word), so
it matches keywords rather than sentences. Pure functions, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

GREETING = "Hello, thanks for calling Parley Dental. How can I help you today?"
ASK_FOR_TIME = "Sure, I can book an appointment for you. What day and time would suit you?"
HOURS = "We are open Monday to Friday from nine in the morning until five in the afternoon."
GOODBYE = "Thank you for calling. Goodbye!"
SERVICES = (
    "We offer check-ups and cleaning, fillings, crowns, whitening and emergency care. "
    "A check-up takes about thirty minutes and always includes a cleaning. "
    "Whitening takes about an hour, and we use a gentle gel. "
    "For emergencies we keep two appointments free every morning. "
    "We accept most insurance plans, and we can send you a cost estimate in advance. "
    "Would you like to book one of these?"
)
FALLBACK = "I can book an appointment for you or tell you our opening hours. What would you like?"
TRANSFER = "Please hold while I transfer you to the front desk."

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_WORDS = (*DAYS, "today", "tomorrow")
_NUMBERS = (
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "noon",
)
_TIME = re.compile(
    r"\b(at|around|about)\s+(\w+)(\s+(thirty|fifteen|forty five|o'clock|am|pm|a m|p m))?"
)


@dataclass(frozen=True)
class Answer:
    reply: str
    actions: list[dict[str, str]] = field(default_factory=list)


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z']+", text.lower()))


def _booking_in_progress(context: list[dict[str, str]]) -> bool:
    agent_lines = [t.get("text", "") for t in context if t.get("role") == "agent"]
    return bool(agent_lines) and agent_lines[-1] == ASK_FOR_TIME


def _requested_slot(utterance: str) -> str | None:
    words = utterance.lower().split()
    day = next((w for w in words if w in _DAY_WORDS), None)
    time = _TIME.search(utterance.lower())
    time_text = None
    if time and (time.group(2) in _NUMBERS or time.group(2).isdigit()):
        time_text = time.group(0).strip()
    if day is None and time_text is None:
        return None
    return " ".join(part for part in (day, time_text) if part)


def answer(
    event: str, utterance: str, context: list[dict[str, str]], dtmf: str | None, front_desk: str
) -> Answer:
    if event == "call_started":
        return Answer(GREETING)
    if event == "dtmf":
        if dtmf == "0":
            return Answer(TRANSFER, [{"type": "transfer", "to": front_desk}])
        return Answer(FALLBACK)
    words = _words(utterance)
    if words & {"goodbye", "bye"} or "that's all" in utterance.lower() or {"no", "thanks"} <= words:
        return Answer(GOODBYE, [{"type": "hangup"}])
    if words & {"book", "appointment", "booking", "schedule"}:
        slot = _requested_slot(utterance)
        if slot and not words & {"like", "want", "need", "make"}:
            return Answer(_confirm(slot))
        return Answer(ASK_FOR_TIME)
    if words & {"offer", "treatment", "treatments", "services"}:
        return Answer(SERVICES)
    if words & {"open", "opening", "hours", "close", "closing"}:
        day = next((d for d in DAYS if d in words), None)
        if day in DAYS[:5]:
            return Answer(
                f"On {day.capitalize()} we open at nine in the morning and close at five."
            )
        if day is not None:
            return Answer(f"We are closed on {day.capitalize()}. {HOURS}")
        return Answer(HOURS)
    if _booking_in_progress(context):
        slot = _requested_slot(utterance)
        if slot:
            return Answer(_confirm(slot))
        return Answer("Sorry, which day and time would you like?")
    return Answer(FALLBACK)


def _confirm(slot: str) -> str:
    return f"Great, I have booked you in for {slot}. Is there anything else I can help with?"
