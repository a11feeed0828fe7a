import base64
from pathlib import Path

import pytest
from parley_devstack.kafka_jars import cached_kafka_jars, resource_path
from parley_devstack.local_kafka import random_cluster_id, server_properties


def test_cluster_id_is_sixteen_bytes_in_unpadded_urlsafe_base64() -> None:
    for _ in range(200):
        cluster_id = random_cluster_id()
        assert len(cluster_id) == 22
        assert not cluster_id.startswith("-")
        assert len(base64.urlsafe_b64decode(cluster_id + "==")) == 16


def test_server_properties_bind_loopback_ports_and_disable_auto_creation(tmp_path: Path) -> None:
    text = server_properties(19092, 19093, tmp_path)
    settings = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)

    assert settings["listeners"] == "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    assert settings["advertised.listeners"] == "PLAINTEXT://127.0.0.1:19092"
    assert settings["controller.quorum.voters"] == "1@127.0.0.1:19093"
    assert settings["log.dirs"] == str(tmp_path)
    assert settings["offsets.topic.replication.factor"] == "1"
    assert settings["auto.create.topics.enable"] == "false"


def test_jar_cache_counts_only_after_a_completed_fetch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARLEY_CACHE_DIR", str(tmp_path))
    lib = tmp_path / "kafka" / "9.9.9" / "lib"
    lib.mkdir(parents=True)
    assert cached_kafka_jars("9.9.9") is None

    (lib.parent / ".fetched").write_text("kafka_2.13-9.9.9.jar\n")

    jars = cached_kafka_jars("9.9.9")
    assert jars is not None
    assert jars.classpath == f"{lib}/*"


def test_package_data_ships_the_pom_and_logging_config() -> None:
    assert "<artifactId>kafka_2.13</artifactId>" in resource_path("kafka-pom.xml").read_text()
    assert "rootLogger.level" in resource_path("log4j2.properties").read_text()
