"""The sale screen: the lines, the member column beside them, discounts, and the customer display."""
