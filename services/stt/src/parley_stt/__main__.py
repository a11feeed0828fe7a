from parley_runtime import serve

from parley_stt.app import create_app
from parley_stt.settings import SttSettings


def main() -> None:
    settings = SttSettings()
    serve("stt", settings, lambda: create_app(settings))


if __name__ == "__main__":
    main()
