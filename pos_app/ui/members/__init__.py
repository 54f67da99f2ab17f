"""Members at the till: lookup, the member column, its dialogs, follow-ups."""
