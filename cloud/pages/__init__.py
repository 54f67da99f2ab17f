"""The public pages' parts that are not routes: who is looking (visitor.py) and what the
e-receipt page shows them above the fold (receipt_hero.py)."""
