"""The shift screen: open, pay-in/out, count and close."""
