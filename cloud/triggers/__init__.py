"""Triggers (issue 21, item 6): act when the customer does something.

- engine.py: the rules as data and the one pure decision (once per trigger, member and
  occurrence; caps; consent)
- sources.py: occurrences from the stored ingest events (a cursor per till) and from the
  daily pass (3369 follow-up steps, birthdays, lapsed members, e-receipts opened, not joined)
- store.py: the rules, the firings' unique key, the cursors and the daily pass's lease
- actions.py: what a firing does in its transaction (coupon, task, tag, a WeChat message
  queued); wechat.py sends the queued messages after commit
- service.py: `Triggers`, the use cases the CLI and the scheduler call; schedule.py: the
  APScheduler jobs `cloud serve` starts
"""
