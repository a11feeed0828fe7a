"""Telephony carriers: :mod:`.base` is the seam, one package per carrier below it."""
