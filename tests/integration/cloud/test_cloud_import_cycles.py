"""The cloud's modules import each other without a cycle (issue 18, "no mixins, no import
cycle"): the database layer imports nothing above it (the schema comes from the migrations),
and the member ledger's parts are composed objects over it, not mixins that import it back.
Imports made only for type checking count too."""

from __future__ import annotations

import grimp
from import_cycles import cycles as _cycles  # Tarjan: strongly connected parts

CLOUD = "cloud"


def _cloud_graph() -> dict[str, set[str]]:
    graph = grimp.build_graph(CLOUD, cache_dir=None)
    mods = set(graph.modules)
    return {m: graph.find_modules_directly_imported_by(m) & mods for m in mods}


def test_no_import_cycle_inside_the_cloud() -> None:
    edges = _cloud_graph()
    assert "cloud.db" in edges and "cloud.members.ledger" in edges  # the cloud's own graph
    cycles = _cycles(edges)
    assert cycles == [], "import cycles in cloud/:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_the_database_layer_imports_nothing_above_it() -> None:
    edges = _cloud_graph()
    below = {
        "cloud.storage",
        "cloud.storage.bulk",
        "cloud.storage.schema",
        "cloud.storage.migrate",
        "cloud.storage.settings",
    }
    assert edges["cloud.db"] <= below, sorted(edges["cloud.db"])
    # storage.settings: the pool and timeout defaults, a leaf the CLI reads without the pool
    assert edges["cloud.storage.settings"] == set(), sorted(edges["cloud.storage.settings"])
    for m in below:
        assert edges[m] <= below, (m, sorted(edges[m]))
