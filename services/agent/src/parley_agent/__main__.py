import os

import uvicorn
from parley_runtime import configure_logging

from parley_agent.app import build_app


def main() -> None:
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
