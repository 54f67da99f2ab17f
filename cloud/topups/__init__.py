"""Stored-value top-ups in the cloud (issue 23): bonus rules (充500送50) published to the
tills, top-ups and their refunds booked in the stored-value ledger, and its reconciliation."""
