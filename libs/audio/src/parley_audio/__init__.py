"""Parley audio."""
