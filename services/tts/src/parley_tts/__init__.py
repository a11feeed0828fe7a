"""Parley tts worker: reply text to agent audio."""
