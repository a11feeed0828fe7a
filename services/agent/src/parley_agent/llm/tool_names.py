"""Names the model calls MCP tools by. Chat Completions function names allow only
``[A-Za-z0-9_-]{1,64}``, and every tool server is its own namespace: a tool keeps its own
(cleaned) name when that is unique, and is called ``<server>_<tool>`` when another server,
or a built-in, has a tool of the same name. Pure functions, no I/O."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_NAME = 64
_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True)
class ToolServer:
    """An MCP tool server: its label (the namespace) and its streamable-HTTP URL."""

    label: str
    url: str


def function_name(name: str) -> str:
    return _NOT_ALLOWED.sub("_", name).strip("_")[:MAX_NAME] or "tool"


def tool_servers(entries: Iterable[str]) -> list[ToolServer]:
    """``url`` or ``name=url`` entries as servers with unique labels (by default the URL's
    host: ``calendar.internal`` → ``calendar_internal``)."""
    servers: list[ToolServer] = []
    taken: set[str] = set()
    for entry in entries:
        label, sep, url = entry.partition("=")
        if not sep or "://" in label:
            label, url = urlsplit(entry).hostname or "tools", entry
        label = unique(function_name(label.strip()), taken)
        taken.add(label)
        servers.append(ToolServer(label, url.strip()))
    return servers


def exposed_names(
    tools: Sequence[tuple[ToolServer, str]], reserved: Iterable[str] = ()
) -> list[str]:
    """The function name of each ``(server, tool name)``, in order, all distinct and none
    in ``reserved`` (the built-in tools)."""
    reserved = set(reserved)
    plain = [function_name(name) for _, name in tools]
    counts = Counter(plain)
    taken = set(reserved)
    names: list[str] = []
    for (server, _), name in zip(tools, plain, strict=True):
        if counts[name] > 1 or name in reserved:
            name = function_name(f"{server.label}_{name}")
        name = unique(name, taken)
        taken.add(name)
        names.append(name)
    return names


def unique(name: str, taken: set[str]) -> str:
    """``name``, or ``name_2``, ``name_3``... (within the length limit), whichever is free."""
    candidate, number = name, 1
    while candidate in taken:
        number += 1
        suffix = f"_{number}"
        candidate = name[: MAX_NAME - len(suffix)] + suffix
    return candidate
