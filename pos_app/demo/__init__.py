"""The demo: a developer harness, not part of the till's runtime.

`python -m pos_app.demo` (`make demo`) runs `day` headless or `live` with a display; `data`
is the demo catalog, members and stock that `guitai demo-data` loads.
"""
