"""The cloud's `guitai cloud …` and `guitai cloud-stock …` commands.

The till's `guitai` command finds them through the `guitai.commands` entry points in
pyproject.toml and imports them only when one is used; `pos_app` never imports `cloud`.
"""
