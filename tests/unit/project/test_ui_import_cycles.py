"""The till's UI modules import each other without a cycle (issue 17, "screens behind a
shell"): the window owns the screens, the screens see the `Shell` protocol.  Imports made only
for type checking count too: a cycle there is the same knot for a reader.

Between the UI's rooms (its sub-packages and top-level modules: `sale`, `members`, `session`,
`shell`, `common` …) there is no cycle either, so the rooms stack in layers a reader can
follow from the bottom: qt, common, views, session, shell, the screen families, the window."""

from __future__ import annotations

import grimp
from import_cycles import cycles as _cycles

UI = "pos_app.ui"


def _ui_graph() -> dict[str, set[str]]:
    graph = grimp.build_graph("pos_app", cache_dir=None)
    mods = {m for m in graph.modules if m == UI or m.startswith(UI + ".")}
    return {m: graph.find_modules_directly_imported_by(m) & mods for m in mods}


def _room(module: str) -> str:
    """The UI room a module lives in: `pos_app.ui.sale.screen` -> `pos_app.ui.sale`."""
    return ".".join(module.split(".")[:3])


def _room_graph(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    rooms: dict[str, set[str]] = {_room(m): set() for m in edges if m != UI}
    for m, targets in edges.items():
        if m == UI:
            continue
        rooms[_room(m)] |= {_room(n) for n in targets if n != UI and _room(n) != _room(m)}
    return rooms


def test_the_cycle_finder_sees_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_rooms_are_the_ui_sub_packages_and_top_level_modules() -> None:
    edges = {
        f"{UI}.sale.screen": {f"{UI}.members.panel", f"{UI}.sale.lines"},
        f"{UI}.sale.lines": set(),
        f"{UI}.members.panel": {f"{UI}.session"},
        f"{UI}.session": {f"{UI}.sale.view"},
        f"{UI}.sale.view": set(),
    }
    rooms = _room_graph(edges)
    assert rooms == {
        f"{UI}.sale": {f"{UI}.members"},
        f"{UI}.members": {f"{UI}.session"},
        f"{UI}.session": {f"{UI}.sale"},
    }
    # no module cycle, but the rooms sale -> members -> session -> sale form one
    assert _cycles(edges) == []
    assert _cycles(rooms) == [[f"{UI}.members", f"{UI}.sale", f"{UI}.session"]]


def test_no_import_cycle_inside_the_ui() -> None:
    edges = _ui_graph()
    assert f"{UI}.main_window" in edges  # the graph is the UI's, not an empty one
    cycles = _cycles(edges)
    assert cycles == [], "import cycles in pos_app/ui:\n" + "\n".join(
        " <-> ".join(c) for c in cycles
    )


def test_no_import_cycle_between_the_ui_rooms() -> None:
    rooms = _room_graph(_ui_graph())
    assert {f"{UI}.sale", f"{UI}.session", f"{UI}.shell", f"{UI}.common"} <= set(rooms)
    cycles = _cycles(rooms)
    assert cycles == [], "import cycles between pos_app/ui rooms:\n" + "\n".join(
        " <-> ".join(c) for c in cycles
    )
