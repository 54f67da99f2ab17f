"""The till's UI modules import each other without a cycle (issue 17, "screens behind a
shell"): the window owns the screens, the screens see the `Shell` protocol.  Imports made only
for type checking count too: a cycle there is the same knot for a reader."""

from __future__ import annotations

import grimp

UI = "pos_app.ui"


def _ui_graph() -> dict[str, set[str]]:
    graph = grimp.build_graph("pos_app", cache_dir=None)
    mods = {m for m in graph.modules if m == UI or m.startswith(UI + ".")}
    return {m: graph.find_modules_directly_imported_by(m) & mods for m in mods}


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), or a module that
    imports itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(m: str) -> None:
        index[m] = low[m] = len(index)
        stack.append(m)
        on_stack.add(m)
        for n in sorted(edges[m]):
            if n not in index:
                visit(n)
                low[m] = min(low[m], low[n])
            elif n in on_stack:
                low[m] = min(low[m], index[n])
        if low[m] == index[m]:
            component: list[str] = []
            while True:
                n = stack.pop()
                on_stack.discard(n)
                component.append(n)
                if n == m:
                    break
            if len(component) > 1 or m in edges[m]:
                found.append(sorted(component))

    for m in sorted(edges):
        if m not in index:
            visit(m)
    return found


def test_the_cycle_finder_sees_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_inside_the_ui() -> None:
    edges = _ui_graph()
    assert f"{UI}.main_window" in edges  # the graph is the UI's, not an empty one
    cycles = _cycles(edges)
    assert cycles == [], "import cycles in pos_app/ui:\n" + "\n".join(
        " <-> ".join(c) for c in cycles
    )
