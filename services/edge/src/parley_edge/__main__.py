from parley_runtime import serve

from parley_edge.app import create_app
from parley_edge.settings import EdgeSettings


def main() -> None:
    settings = EdgeSettings()
    serve("edge", settings, lambda: create_app(settings))


if __name__ == "__main__":
    main()
