"""Parley speech."""
