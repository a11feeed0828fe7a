"""What `parley call` prints for a call the edge cut short."""

from __future__ import annotations

import pytest
from parley_simulator import CallCut, CallReport, TurnReport
from parley_simulator.cli import _print_text


def cut_report() -> CallReport:
    return CallReport(
        session_id="s-1",
        call_sid="CA1",
        turns=[TurnReport(script="hello")],
        ended_by="edge",
        cut=CallCut(
            during="turn 1, waiting for the reply",
            reason="the connection to the edge was lost (no close frame)",
            after_s=4.26,
        ),
        status_callback_error="ConnectError: All connection attempts failed",
    )


def test_the_json_report_says_where_and_why_the_call_was_cut() -> None:
    report = cut_report().to_json()

    assert report["endedBy"] == "edge"
    assert report["cut"] == {
        "during": "turn 1, waiting for the reply",
        "reason": "the connection to the edge was lost (no close frame)",
        "afterS": 4.3,
    }
    assert report["statusCallbackError"] == "ConnectError: All connection attempts failed"
    assert [t["said"] for t in report["turns"]] == ["hello"]


def test_the_text_report_says_where_and_why_the_call_was_cut(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _print_text(cut_report())

    out = capsys.readouterr().out
    assert (
        "call cut during turn 1, waiting for the reply, 4.3 s into the call: "
        "the connection to the edge was lost (no close frame)"
    ) in out
    assert "status callback failed: ConnectError" in out
    assert "call ended by" not in out


def test_a_whole_call_reports_no_cut() -> None:
    report = CallReport(session_id="s-2", call_sid="CA2").to_json()

    assert report["endedBy"] == "caller"
    assert report["cut"] is None
    assert report["statusCallbackError"] is None
