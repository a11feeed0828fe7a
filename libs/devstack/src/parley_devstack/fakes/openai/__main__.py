"""``python -m parley_devstack.fakes.openai --port 8770 --script replies.json``: run the
fake until interrupted, then point an OpenAI client at it (``base_url``
``http://127.0.0.1:8770/v1``, the ``--api-key`` as its key)."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from parley_devstack.fakes.openai.controls import OpenAIFakeControls
from parley_devstack.fakes.openai.script import Script
from parley_devstack.fakes.openai.server import FakeOpenAI
from parley_devstack.fakes.serving import serve_forever


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8770)
    parser.add_argument("--api-key", default="test-key", help="the key clients must send")
    parser.add_argument("--script", type=Path, help="a JSON script of replies (see script.py)")
    parser.add_argument("--first-token-ms", type=int, default=150, help="time to first token")
    parser.add_argument("--tokens-per-s", type=float, default=50.0, help="0: no pacing")
    args = parser.parse_args()
    controls = OpenAIFakeControls(
        api_key=args.api_key,
        script=Script.load(args.script) if args.script else Script(),
        first_token_ms=args.first_token_ms,
        tokens_per_s=args.tokens_per_s,
    )
    fake = FakeOpenAI(controls, port=args.port)
    print(
        f"fake OpenAI: PARLEY_LLM_BASE_URL=http://127.0.0.1:{args.port}/v1 "
        f"PARLEY_LLM_API_KEY={args.api_key}",
        flush=True,
    )
    asyncio.run(serve_forever(fake, "openai"))


if __name__ == "__main__":
    main()
