import pytest
from parley_devstack import NotRootError, install


def test_non_root_gets_the_command_to_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        install, "SYSTEM_PACKAGES", {"redis-server": lambda: False, "maven": lambda: True}
    )
    monkeypatch.setattr("os.geteuid", lambda: 1000)

    with pytest.raises(NotRootError, match="--no-install-recommends redis-server"):
        install.install_system_packages()


def test_nothing_is_installed_when_everything_is_present(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(install, "SYSTEM_PACKAGES", {"redis-server": lambda: True})

    assert install.install_system_packages() == []
