"""`parley-agent` serves the agent over HTTP; `parley-agent --stdio` speaks MCP on
stdin/stdout, for a dialogue service set up with
`PARLEY_AGENT_URL="stdio:parley-agent --stdio"`. `PARLEY_AGENT` picks the brain
(`receptionist`, the default, or `llm`)."""

import os
import sys

import uvicorn
from parley_runtime import configure_logging

from parley_agent.app import build_app
from parley_agent.brains import build_brain


def main() -> None:
    if "--stdio" in sys.argv[1:]:
        build_brain().run("stdio")
        return
    configure_logging("agent", os.environ.get("PARLEY_LOG_LEVEL", "INFO"))
    uvicorn.run(
        build_app(),
        host=os.environ.get("PARLEY_AGENT_HOST", "127.0.0.1"),
        port=int(os.environ.get("PARLEY_AGENT_PORT", "8090")),
        log_config=None,
        access_log=False,
    )


if __name__ == "__main__":
    main()
