"""Parley stt worker: caller audio to transcripts."""
