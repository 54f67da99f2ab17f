"""Signing in with the PIN keypad."""
