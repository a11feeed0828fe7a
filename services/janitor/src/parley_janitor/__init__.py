"""Parley janitor: session lifecycle, expiry and the session API."""
