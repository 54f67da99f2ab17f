"""Taking payment: tenders, the card terminal, the done page."""
