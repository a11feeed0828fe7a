from parley_runtime import serve

from parley_janitor.app import create_app
from parley_janitor.settings import JanitorSettings


def main() -> None:
    settings = JanitorSettings()
    # With authentication off callers are told apart by address (their rate limits);
    # X-Forwarded-For is believed only from PARLEY_JANITOR_TRUSTED_PROXIES, never from
    # uvicorn's default of loopback.
    serve("janitor", settings, lambda: create_app(settings), proxy_headers=False)


if __name__ == "__main__":
    main()
