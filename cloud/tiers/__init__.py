"""631 tiers, computed (issue 21): members ranked by net spend over a rolling window and
assigned core / potential / ordinary by percentile, nightly and on demand.

- `ranking`: the pure rules (percentiles, ties, grace), no I/O
- `recompute`: the SQL aggregation, the tier history and the change feed
- `nightly`: the APScheduler job `guitai cloud serve` starts, once across workers
"""
