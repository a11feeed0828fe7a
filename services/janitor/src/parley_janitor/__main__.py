import logging

from fastapi import FastAPI
from parley_runtime import serve

from parley_janitor.app import create_app
from parley_janitor.auth import AuthNotConfiguredError
from parley_janitor.settings import JanitorSettings

log = logging.getLogger("parley_janitor")


def main() -> None:
    settings = JanitorSettings()

    def app() -> FastAPI:
        try:
            return create_app(settings)
        except AuthNotConfiguredError as exc:
            # What to set, as one log line rather than a traceback.
            log.critical(str(exc), extra={"event": "janitor.auth_not_configured"})
            raise SystemExit(2) from None

    # With authentication off callers are told apart by address (their rate limits);
    # X-Forwarded-For is believed only from PARLEY_JANITOR_TRUSTED_PROXIES, never from
    # uvicorn's default of loopback.
    serve("janitor", settings, app, proxy_headers=False)


if __name__ == "__main__":
    main()
