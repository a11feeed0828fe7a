"""Names the model calls tool-server tools by: valid function names, one namespace per
server, built-ins never shadowed."""

from __future__ import annotations

import re

from parley_agent.llm.tool_names import MAX_NAME, ToolServer, exposed_names, tool_servers

CALENDAR = ToolServer("calendar", "http://calendar/mcp")
CRM = ToolServer("crm", "http://crm/mcp")
VALID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def test_unique_tools_keep_their_own_names() -> None:
    assert exposed_names([(CALENDAR, "lookup"), (CRM, "find_customer")]) == [
        "lookup",
        "find_customer",
    ]


def test_a_name_two_servers_share_is_qualified_by_each_server() -> None:
    names = exposed_names([(CALENDAR, "lookup"), (CRM, "lookup"), (CRM, "notes")])
    assert names == ["calendar_lookup", "crm_lookup", "notes"]


def test_a_built_in_name_is_never_shadowed() -> None:
    assert exposed_names([(CRM, "end_call")], reserved=["end_call"]) == ["crm_end_call"]


def test_names_are_valid_function_names_and_stay_distinct() -> None:
    long = "x" * 80
    tools = [(CALENDAR, "calendar.lookup/day"), (CALENDAR, long), (CALENDAR, long + "y")]
    names = exposed_names(tools)
    assert names[0] == "calendar_lookup_day"
    assert all(VALID.match(n) for n in names)
    assert len(set(names)) == 3 and all(len(n) <= MAX_NAME for n in names)


def test_servers_are_labelled_by_name_or_host_and_labels_are_unique() -> None:
    servers = tool_servers(
        [
            "crm=http://10.0.0.5:9000/mcp",
            "http://calendar.internal/mcp?key=a=b",
            "http://calendar.internal/other",
        ]
    )
    assert [s.label for s in servers] == ["crm", "calendar_internal", "calendar_internal_2"]
    assert servers[0].url == "http://10.0.0.5:9000/mcp"
    assert servers[1].url == "http://calendar.internal/mcp?key=a=b"
