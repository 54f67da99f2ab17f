"""The public pages' parts that are not routes, one module per page or part: who is looking
(visitor.py), what the e-receipt page shows them above the fold (receipt_hero.py), the gift
receipt's page (gift.py)."""
