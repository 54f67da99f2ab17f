"""One repository per table group on the till's writer connection.  None of them begins or
ends a transaction: the unit of work (../unit_of_work.py) does."""
