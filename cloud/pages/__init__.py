"""The cloud's pages for customers beyond the e-receipt itself: who is visiting (visitor.py)."""
