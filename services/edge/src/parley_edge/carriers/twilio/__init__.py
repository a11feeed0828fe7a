"""Twilio: Media Streams, signed webhooks, TwiML and the REST API for live calls."""
