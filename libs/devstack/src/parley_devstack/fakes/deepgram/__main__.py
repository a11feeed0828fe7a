"""``python -m parley_devstack.fakes.deepgram --port 8765 --say "book a table"``: run the
fake until interrupted, then point Parley at it with ``DEEPGRAM_BASE_URL``."""

from __future__ import annotations

import argparse
import asyncio

from parley_devstack.fakes.deepgram.controls import DeepgramFakeControls
from parley_devstack.fakes.deepgram.server import FakeDeepgram
from parley_devstack.fakes.serving import serve_forever


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--api-key", default="test-key", help="the key clients must send")
    parser.add_argument(
        "--say", action="append", default=[], help="a caller utterance, in order (repeatable)"
    )
    args = parser.parse_args()
    controls = DeepgramFakeControls(api_key=args.api_key)
    controls.say(*args.say)
    fake = FakeDeepgram(controls, port=args.port)
    print(
        f"fake Deepgram: DEEPGRAM_BASE_URL=http://127.0.0.1:{args.port} "
        f"DEEPGRAM_API_KEY={args.api_key}",
        flush=True,
    )
    asyncio.run(serve_forever(fake, "deepgram"))


if __name__ == "__main__":
    main()
