from parley_runtime import serve

from parley_tts.app import create_app
from parley_tts.settings import TtsSettings


def main() -> None:
    settings = TtsSettings()
    serve("tts", settings, lambda: create_app(settings))


if __name__ == "__main__":
    main()
