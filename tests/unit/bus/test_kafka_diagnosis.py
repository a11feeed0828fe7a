"""Failures the secure-broker tests cannot provoke are still told apart (the others are
checked against a real broker in tests/e2e/test_secure_kafka.py)."""

from __future__ import annotations

import ssl

import certifi
import pytest
from parley_bus import (
    KafkaConnection,
    KafkaListenerMismatchError,
    KafkaTlsError,
    KafkaUnreachableError,
    explain_failure,
)
from parley_bus.diagnosis import classify

TLS = KafkaConnection("broker:9093", security_protocol="SSL", ssl_ca_file=certifi.where())


def verification_error(code: int, message: str) -> ssl.SSLCertVerificationError:
    error = ssl.SSLCertVerificationError(1, message)
    error.verify_code, error.verify_message = code, message
    return error


def test_a_certificate_for_another_host_is_not_reported_as_untrusted() -> None:
    mismatch = classify(verification_error(62, "Hostname mismatch"), TLS, "broker", 9093)
    untrusted = classify(verification_error(19, "self-signed certificate"), TLS, "broker", 9093)
    assert isinstance(mismatch, KafkaTlsError) and isinstance(untrusted, KafkaTlsError)
    assert "does not name broker" in str(mismatch) and "KAFKA_SSL_CHECK_HOSTNAME" in str(mismatch)
    assert "not trusted" in str(untrusted) and "KAFKA_SSL_CA_FILE" in str(untrusted)


def test_a_broker_asking_for_a_client_certificate_says_so() -> None:
    refused = ssl.SSLError(1, "[SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED] tlsv13 alert")
    refused.reason = "TLSV13_ALERT_CERTIFICATE_REQUIRED"
    reason = classify(refused, TLS, "broker", 9093)
    assert isinstance(reason, KafkaTlsError) and "KAFKA_SSL_CERT_FILE" in str(reason)


def test_tls_spoken_to_a_plaintext_listener_points_at_the_protocol() -> None:
    garbled = ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number")
    garbled.reason = "WRONG_VERSION_NUMBER"
    reason = classify(garbled, TLS, "broker", 9093)
    assert isinstance(reason, KafkaListenerMismatchError)
    assert "KAFKA_SECURITY_PROTOCOL (now SSL)" in str(reason)


@pytest.mark.parametrize("protocol", ["PLAINTEXT", "SSL"])
async def test_nothing_listening_is_reported_as_unreachable(protocol: str) -> None:
    connection = KafkaConnection("127.0.0.1:1", security_protocol=protocol)
    reason = await explain_failure(connection)
    assert isinstance(reason, KafkaUnreachableError)
    assert "nothing answers at 127.0.0.1:1" in str(reason)
