from parley_runtime import serve

from parley_janitor.app import create_app
from parley_janitor.settings import JanitorSettings


def main() -> None:
    settings = JanitorSettings()
    serve("janitor", settings, lambda: create_app(settings))


if __name__ == "__main__":
    main()
