from parley_dialogue.app import create_app
from parley_dialogue.settings import DialogueSettings
from parley_runtime import serve


def main() -> None:
    settings = DialogueSettings()
    serve("dialogue", settings, lambda: create_app(settings))


if __name__ == "__main__":
    main()
