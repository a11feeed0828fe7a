"""end_call and transfer_call: actions, and where a transfer may go."""

from __future__ import annotations

from parley_agent.llm.call_control import END_CALL, TRANSFER_CALL, run, specs


def test_end_call_is_a_hangup() -> None:
    result = run(END_CALL, {}, ())
    assert result.action is not None and result.action.type == "hangup"


def test_a_transfer_goes_only_to_a_plausible_destination() -> None:
    assert run(TRANSFER_CALL, {"to": "+15550100000"}, ()).action is not None
    assert run(TRANSFER_CALL, {"to": "sip:desk@pbx.example.com"}, ()).action is not None
    refused = run(TRANSFER_CALL, {"to": "the manager"}, ())
    assert refused.action is None and refused.content.startswith("error:")


def test_configured_numbers_are_the_only_destinations() -> None:
    allowed = ("+15550100000",)
    assert run(TRANSFER_CALL, {"to": "+15550100000"}, allowed).action is not None
    assert run(TRANSFER_CALL, {"to": "+19005550000"}, allowed).action is None
    transfer = specs(allowed)[1]["function"]
    assert transfer["parameters"]["properties"]["to"]["enum"] == ["+15550100000"]  # type: ignore[index]
