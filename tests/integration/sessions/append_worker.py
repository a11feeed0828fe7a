"""Run as a separate process: append turns to one session through a real store.

Usage: python -m tests.integration.sessions.append_worker <type> <conn> <key> <session> <first> <n>
"""

from __future__ import annotations

import asyncio
import sys

from parley_sessions import SessionCodec, StorageType, Turn, open_session_store


async def append(
    storage: StorageType, conn: str, key: str, session_id: str, first: int, count: int
) -> None:
    store = open_session_store(storage, conn, SessionCodec([key]))
    try:
        for turn_id in range(first, first + count):
            turn = Turn(turn_id=turn_id, user_utterance=f"u{turn_id}", agent_response="ok")
            await store.append_turn(session_id, turn)
    finally:
        await store.close_store()


if __name__ == "__main__":
    storage, conn, key, session_id, first, count = sys.argv[1:7]
    if storage not in ("redis", "postgres"):
        raise SystemExit(f"storage must be redis or postgres, not {storage!r}")
    asyncio.run(append(storage, conn, key, session_id, int(first), int(count)))  # type: ignore[arg-type]
