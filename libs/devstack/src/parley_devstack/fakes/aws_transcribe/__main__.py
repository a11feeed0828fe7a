"""``python -m parley_devstack.fakes.aws_transcribe --port 8443 --say "book a table"``:
run the fake until interrupted, then point Parley at it with the variables it prints."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from parley_devstack.fakes.aws_transcribe.controls import TranscribeFakeControls
from parley_devstack.fakes.aws_transcribe.server import FakeAwsTranscribe
from parley_devstack.fakes.serving import serve_forever


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8443)
    parser.add_argument(
        "--certificates",
        type=Path,
        default=Path(".stack/fake-aws-transcribe"),
        help="where to write the CA and the server certificate",
    )
    parser.add_argument(
        "--say", action="append", default=[], help="a caller utterance, in order (repeatable)"
    )
    args = parser.parse_args()
    controls = TranscribeFakeControls()
    controls.say(*args.say)
    fake = FakeAwsTranscribe(controls, port=args.port, certificate_dir=args.certificates)
    ca_file = args.certificates.resolve() / "ca.pem"
    print(
        "fake Amazon Transcribe: "
        f"AWS_ENDPOINT_URL_TRANSCRIBE_STREAMING=https://127.0.0.1:{args.port} "
        f"AWS_CA_BUNDLE={ca_file} AWS_REGION={controls.region} "
        f"AWS_ACCESS_KEY_ID={controls.access_key_id} AWS_SECRET_ACCESS_KEY=any",
        flush=True,
    )
    asyncio.run(serve_forever(fake, "aws_transcribe"))


if __name__ == "__main__":
    main()
