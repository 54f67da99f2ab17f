"""发票 (数电发票, the fully digital e-invoice) asked for from the e-receipt page: the buyer's
application checked (application.py, tax_id.py), the amounts taken from the synced sale net of
its refunds, the request sent to an invoicing provider through a port (provider.py), its
state kept (desk.py), and the red-letter reversal (红冲) asked for when a refund arrives."""
