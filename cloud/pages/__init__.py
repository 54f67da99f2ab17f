"""The public pages' parts that are not routes, one module per page or section, put together
by cloud/receipt_routes.py: who is looking (visitor.py), what the e-receipt page shows above the
fold (receipt_hero.py), the gift receipt's page (gift.py), the 发票 section (fapiao.py)."""
