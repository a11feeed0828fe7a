"""`parley-stack topics` refuses counts Kafka could never honour before it connects."""

from __future__ import annotations

import pytest
from parley_devstack.cli import main


@pytest.mark.parametrize(
    "bad",
    [
        ["--replication-factor", "0"],
        ["--partitions-per-call", "-3"],
        ["--edge-slots", "many"],
    ],
)
def test_counts_below_one_are_refused(bad: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["topics", "--bootstrap-servers", "127.0.0.1:1", *bad])
    assert exited.value.code == 2
    assert "expected a whole number of at least 1" in capsys.readouterr().err
