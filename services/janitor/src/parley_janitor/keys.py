"""``python -m parley_janitor.keys new --id <client> --scope <scope>``: a new session API
key for one client.

Prints the key (give it to the client, once; it is not kept anywhere) and the entry line
to add to PARLEY_JANITOR_API_KEYS, which holds only the key's SHA-256.
"""

from __future__ import annotations

import argparse
import sys

from parley_sessions import SCOPES, ApiKeyEntryError, new_api_key


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m parley_janitor.keys", description="Session API keys"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    new = commands.add_parser("new", help="make a key and its PARLEY_JANITOR_API_KEYS entry")
    new.add_argument("--id", required=True, help="who holds it: named in logs and rate limits")
    new.add_argument(
        "--scope",
        action="append",
        choices=SCOPES,
        help="read, write (implies read) or admin (implies write); default read",
    )
    args = parser.parse_args(argv)
    try:
        key, entry = new_api_key(args.id, args.scope or ["read"])
    except ApiKeyEntryError as exc:
        print(f"parley_janitor.keys: {exc}", file=sys.stderr)
        return 2
    print(f"key:   {key}")
    print(f"entry: {entry.line()}")
    print(
        "Give the key to the client (Authorization: Bearer <key>); add the entry to"
        " PARLEY_JANITOR_API_KEYS (comma-separated, beside any others).",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
