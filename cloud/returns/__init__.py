"""Returns that travel (issue 20): what a synced sale has left to return, its record for the
store's tills, reservations for a return at another store, and over-refunds to look at."""
