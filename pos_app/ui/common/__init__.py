"""Pieces every screen uses: dialogs, widgets, fitting text, theme, the worker, the scanner wedge, translations."""
