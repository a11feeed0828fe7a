from __future__ import annotations

from parley_simulator.cli import waterfall


def test_waterfall_lists_stages_in_pipeline_order() -> None:
    line = waterfall({"tts": 30.2, "stt": 512.0, "playback": 4.0, "agent": 6.4})
    assert line == "stt 512 ms | agent 6 ms | tts 30 ms | playback 4 ms  = 553 ms"
