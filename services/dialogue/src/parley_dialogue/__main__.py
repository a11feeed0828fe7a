from parley_runtime import serve

from parley_dialogue.app import create_app
from parley_dialogue.settings import DialogueSettings


def main() -> None:
    settings = DialogueSettings()
    serve("dialogue", settings, lambda: create_app(settings))


if __name__ == "__main__":
    main()
