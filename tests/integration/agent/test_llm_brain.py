"""A turn's tool loop: tool-server tools called and their results used and recorded,
end_call and transfer_call as actions, speculative turns that run no tools, the bound
on rounds, and tool failures told to the model."""

from __future__ import annotations

from parley_devstack.fakes.openai import Script

from tests.integration.agent.conftest import LlmAgent, running_agent


async def test_a_tool_server_tool_is_called_and_its_result_used(agent: LlmAgent) -> None:
    script = agent.fake.controls.script
    script.on_user_call("book", "lookup", day="monday")
    script.on_tool("lookup", "Monday at ten is free. Shall I book it?", result_contains="ten")
    answer = await agent.respond(utterance="can I book for monday")
    assert answer.reply == "Monday at ten is free. Shall I book it?"
    assert "".join(answer.deltas) == answer.reply
    assert agent.calendar.looked_up == ["monday"]
    assert answer.result["toolCalls"] == [
        {
            "name": "calendar.lookup",
            "arguments": {"day": "monday"},
            "result": {"result": "monday at ten is free"},
        }
    ]
    first, second = agent.fake.controls.requests
    offered = {t["function"]["name"]: t["function"] for t in first["tools"]}
    assert {"lookup", "slow", "broken", "end_call", "transfer_call"} <= set(offered)
    assert offered["lookup"]["parameters"]["required"] == ["day"]
    assert offered["lookup"]["description"] == "Free appointment slots on a day."
    fed_back = second["messages"][-1]
    assert fed_back["role"] == "tool" and "ten is free" in fed_back["content"]
    assert second["messages"][-2]["tool_calls"][0]["function"]["name"] == "lookup"
    # usage adds up over both model calls
    assert answer.result["usage"]["promptTokens"] > 0


async def test_end_call_hangs_up_after_the_goodbye(agent: LlmAgent) -> None:
    agent.fake.controls.script.on_user_call("goodbye", "end_call")
    agent.fake.controls.script.on_tool("end_call", "Thanks for calling. Goodbye!")
    answer = await agent.respond(utterance="that's all, goodbye")
    assert answer.reply == "Thanks for calling. Goodbye!"
    assert answer.result["actions"] == [{"type": "hangup", "to": None}]
    assert [c["name"] for c in answer.result["toolCalls"]] == ["end_call"]


async def test_end_call_without_a_goodbye_still_says_one(agent: LlmAgent) -> None:
    agent.fake.controls.script.on_user_call("goodbye", "end_call")
    agent.fake.controls.script.on_tool("end_call", "")
    answer = await agent.respond(utterance="goodbye")
    assert answer.reply == "Thank you for calling. Goodbye."
    assert answer.result["actions"] == [{"type": "hangup", "to": None}]


async def test_transfer_call_asks_for_a_transfer() -> None:
    async with running_agent(transfer_numbers="+15550100000") as agent:
        script = agent.fake.controls.script
        script.on_user_call("a person", "transfer_call", to="+15550100000")
        script.on_user_call("somewhere else", "transfer_call", to="+19005550000")
        script.on_tool("transfer_call", "Transferring you now.", result_contains="transferred")
        script.on_tool("transfer_call", "I can only transfer you to the front desk.")
        allowed = await agent.respond(utterance="can I talk to a person")
        refused = await agent.respond(utterance="put me through somewhere else")
    assert allowed.reply == "Transferring you now."
    assert allowed.result["actions"] == [{"type": "transfer", "to": "+15550100000"}]
    assert refused.reply == "I can only transfer you to the front desk."
    assert refused.result["actions"] == []
    assert "cannot transfer" in refused.result["toolCalls"][0]["result"]


async def test_a_speculative_turn_runs_no_tools(agent: LlmAgent) -> None:
    agent.fake.controls.script.on_user_call("book", "lookup", day="monday")
    agent.fake.controls.script.on_tool("lookup", "Monday at ten is free.")
    answer = await agent.respond(utterance="book monday", speculative=True, turnId=7)
    assert agent.calendar.looked_up == []
    assert answer.result["toolCalls"] == []
    assert answer.reply == ""
    assert answer.result["incomplete"] is True, "Parley must ask again for real"
    assert len(agent.fake.controls.requests) == 1  # stopped where the model asked for a tool
    # the same turn confirmed runs the tool
    confirmed = await agent.respond(utterance="book monday", turnId=7)
    assert agent.calendar.looked_up == ["monday"]
    assert confirmed.reply == "Monday at ten is free."
    assert "incomplete" not in confirmed.result


async def test_a_speculative_turn_still_returns_the_actions_it_would_take(
    agent: LlmAgent,
) -> None:
    agent.fake.controls.script.on_user_call("goodbye", "end_call")
    agent.fake.controls.script.on_tool("end_call", "Goodbye!")
    answer = await agent.respond(utterance="goodbye", speculative=True)
    assert answer.reply == "Goodbye!"
    assert answer.result["actions"] == [{"type": "hangup", "to": None}]


async def test_tool_rounds_are_bounded_and_the_last_call_must_answer() -> None:
    async with running_agent(max_tool_rounds=2) as agent:
        agent.fake.controls.script = Script.from_json(
            {
                "rules": [
                    {"user": "book", "tool_calls": [{"name": "lookup", "arguments": {"day": "a"}}]},
                    {
                        "tool": "lookup",
                        "tool_calls": [{"name": "lookup", "arguments": {"day": "b"}}],
                    },
                ]
            }
        )
        answer = await agent.respond(utterance="book something")
    requests = agent.fake.controls.requests
    assert len(requests) == 3
    assert [r["tool_choice"] for r in requests] == ["auto", "auto", "none"]
    assert agent.calendar.looked_up == ["a", "b"]
    assert len(answer.result["toolCalls"]) == 2


async def test_tool_failures_are_told_to_the_model_and_recorded() -> None:
    async with running_agent(tool_timeout_s=0.5) as agent:
        script = agent.fake.controls.script
        script.on_user_call("broken", "broken")
        script.on_user_call("slow", "slow")
        script.on_user_call("made up", "no_such_tool")
        script.on_tool("broken", "Sorry, the calendar is down.", result_contains="database is down")
        script.on_tool("slow", "Sorry, that took too long.", result_contains="did not answer")
        script.on_tool("no_such_tool", "Sorry, I cannot do that.", result_contains="no tool")
        broken = await agent.respond(utterance="try the broken one")
        slow = await agent.respond(utterance="try the slow one")
        unknown = await agent.respond(utterance="a made up tool")
    assert broken.reply == "Sorry, the calendar is down."
    assert "database is down" in broken.result["toolCalls"][0]["result"]
    assert slow.reply == "Sorry, that took too long."
    assert slow.result["toolCalls"][0]["name"] == "calendar.slow"
    assert unknown.reply == "Sorry, I cannot do that."
    assert unknown.result["toolCalls"][0]["name"] == "no_such_tool"
