"""The edge's REST call control, through the twilio library, against the local Calls API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from parley_edge.carriers.base import CallControlError
from parley_edge.carriers.twilio.call_control import TwilioCallControl

from tests.fakes.twilio_rest import FakeTwilioRest

ACCOUNT, CALL, TOKEN = "AC" + "a" * 32, "CA" + "b" * 32, "rest-token"


@pytest.fixture
def twilio_api() -> Iterator[FakeTwilioRest]:
    fake = FakeTwilioRest(TOKEN).start()
    try:
        yield fake
    finally:
        fake.stop()


async def test_hang_up_completes_the_call(twilio_api: FakeTwilioRest) -> None:
    control = TwilioCallControl("", TOKEN, twilio_api.url, timeout_s=5)
    await control.hang_up(ACCOUNT, CALL)
    [update] = twilio_api.updates_for(CALL)
    assert update.form == {"Status": "completed"}
    assert update.account_sid == ACCOUNT and update.username == ACCOUNT
    assert update.content_type == "application/x-www-form-urlencoded"


async def test_cold_transfer_dials_the_target(twilio_api: FakeTwilioRest) -> None:
    control = TwilioCallControl(ACCOUNT, TOKEN, twilio_api.url, timeout_s=5)
    await control.transfer("", CALL, "+15557654321")
    [update] = twilio_api.updates_for(CALL)
    assert update.form == {
        "Twiml": '<?xml version="1.0" encoding="UTF-8"?>'
        "<Response><Dial>+15557654321</Dial></Response>"
    }


async def test_warm_transfer_announces_then_dials(twilio_api: FakeTwilioRest) -> None:
    control = TwilioCallControl(ACCOUNT, TOKEN, twilio_api.url, timeout_s=5)
    await control.transfer(ACCOUNT, CALL, "+15557654321", "Connecting you to billing.")
    [update] = twilio_api.updates_for(CALL)
    assert update.form["Twiml"].endswith(
        "<Response><Say>Connecting you to billing.</Say><Dial>+15557654321</Dial></Response>"
    )


async def test_a_refused_update_raises_with_what_to_check(twilio_api: FakeTwilioRest) -> None:
    control = TwilioCallControl(ACCOUNT, "wrong-token", twilio_api.url, timeout_s=5)
    with pytest.raises(CallControlError, match="TWILIO_AUTH_TOKEN"):
        await control.hang_up(ACCOUNT, CALL)
    assert twilio_api.updates == []


async def test_hanging_up_an_ended_call_is_an_error(twilio_api: FakeTwilioRest) -> None:
    control = TwilioCallControl(ACCOUNT, TOKEN, twilio_api.url, timeout_s=5)
    await control.hang_up(ACCOUNT, CALL)
    with pytest.raises(CallControlError, match=r"20404|not found"):
        await control.hang_up(ACCOUNT, CALL)
