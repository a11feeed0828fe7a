"""Parley edge: terminates Twilio webhooks and Media Streams, bridges them to Kafka."""
