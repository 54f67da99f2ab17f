"""The till's use cases, one handler each, reading top to bottom: take a command
(pos_app.domain.commands), open the unit of work, ask the domain, book payments, member
ledger, stock and outbox with plain calls, commit, then publish the event on the message bus
for what follows the commit (print, drawer, sync nudge)."""
