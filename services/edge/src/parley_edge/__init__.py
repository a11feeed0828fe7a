"""Parley edge: terminates a carrier's webhooks and media streams, bridges them to Kafka."""
