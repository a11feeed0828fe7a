"""Fetching the Apache Kafka broker jars from Maven Central into a local cache.

The broker is published on Maven Central as ordinary jars, so a fetch-only pom
(``resources/kafka-pom.xml``) and ``mvn dependency:copy-dependencies`` give us a
runnable broker without the Apache download mirrors. A marker file written after a
successful fetch makes later calls instant.
"""

from __future__ import annotations

import fcntl
import logging
import shutil
import subprocess
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from parley_devstack.errors import JarFetchError, MissingDependencyError
from parley_devstack.paths import cache_dir

logger = logging.getLogger(__name__)

KAFKA_VERSION = "4.1.1"
# Kafka 4.1 logs through slf4j 1.7; this is the log4j2 line its own build uses.
LOG4J2_VERSION = "2.24.3"
_MARKER = ".fetched"
_FETCH_TIMEOUT_SECONDS = 900


@dataclass(frozen=True, slots=True)
class KafkaJars:
    """A fetched Kafka distribution: its version and the folder holding every jar."""

    version: str
    lib_dir: Path

    @property
    def classpath(self) -> str:
        # The JVM expands the trailing wildcard itself.
        return f"{self.lib_dir}/*"


def resource_path(name: str) -> Path:
    """Filesystem path of a file shipped in ``parley_devstack/resources``."""
    resource = resources.files("parley_devstack") / "resources" / name
    path = Path(str(resource))
    if not path.is_file():
        raise FileNotFoundError(
            f"package data file {name} is missing from {path.parent}; reinstall parley-devstack"
        )
    return path


def kafka_home(version: str = KAFKA_VERSION) -> Path:
    """``<cache>/kafka/<version>``: the fetch-only pom, the marker and ``lib/``."""
    return cache_dir() / "kafka" / version


def cached_kafka_jars(version: str = KAFKA_VERSION) -> KafkaJars | None:
    """The cached jars if a previous fetch completed, else None."""
    home = kafka_home(version)
    if (home / _MARKER).is_file() and (home / "lib").is_dir():
        return KafkaJars(version=version, lib_dir=home / "lib")
    return None


def ensure_kafka_jars(
    version: str = KAFKA_VERSION, log4j2_version: str = LOG4J2_VERSION
) -> KafkaJars:
    """Return the cached Kafka jars, fetching them with Maven first if needed.

    Safe to call from several processes at once: a file lock makes one of them
    fetch while the others wait and then reuse the result.
    """
    cached = cached_kafka_jars(version)
    if cached is not None:
        return cached
    home = kafka_home(version)
    home.mkdir(parents=True, exist_ok=True)
    with (home / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        cached = cached_kafka_jars(version)
        if cached is not None:
            return cached
        _fetch(home, version, log4j2_version)
    return KafkaJars(version=version, lib_dir=home / "lib")


def _fetch(home: Path, version: str, log4j2_version: str) -> None:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise MissingDependencyError(
            "Maven (mvn) is needed to fetch the Kafka jars; run `parley-stack install` "
            "as root or `apt-get install maven`"
        )
    pom = home / "pom.xml"
    shutil.copyfile(resource_path("kafka-pom.xml"), pom)
    # Fetch into a scratch folder and rename, so a failed fetch never looks complete.
    staging = home / "lib.partial"
    shutil.rmtree(staging, ignore_errors=True)
    logger.info("fetching Kafka %s jars from Maven Central…", version)
    started = time.monotonic()
    argv = [
        mvn,
        "-B",
        "-q",
        "-f",
        str(pom),
        f"-Dkafka.version={version}",
        f"-Dlog4j2.version={log4j2_version}",
        "dependency:copy-dependencies",
        f"-DoutputDirectory={staging}",
        "-DincludeScope=runtime",
    ]
    try:
        result = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=_FETCH_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise JarFetchError(
            f"Maven did not finish fetching Kafka {version} within "
            f"{_FETCH_TIMEOUT_SECONDS} s; check access to https://repo.maven.apache.org"
        ) from exc
    jars = sorted(staging.glob("*.jar")) if staging.is_dir() else []
    if result.returncode != 0 or not any(j.name == f"kafka_2.13-{version}.jar" for j in jars):
        output = "\n".join((result.stdout + result.stderr).splitlines()[-40:])
        raise JarFetchError(
            f"Maven could not fetch Kafka {version} (exit code {result.returncode}); "
            f"check access to https://repo.maven.apache.org. Maven said:\n{output}"
        )
    lib = home / "lib"
    shutil.rmtree(lib, ignore_errors=True)
    staging.rename(lib)
    (home / _MARKER).write_text("".join(f"{jar.name}\n" for jar in jars), encoding="utf-8")
    logger.info("done in %.0f s (%d jars in %s)", time.monotonic() - started, len(jars), lib)
