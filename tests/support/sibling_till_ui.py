"""Till 2's screen in the store's two-till rig (members_cloud_rig), for the returns screen's
tests of another till's sale (issue 20): till 1 has sold and both tills synced, then the
cloud stops, so what till 2 does next it does offline (a uniquely named module; never import
conftest)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from members_cloud_rig import Rig


def till_two_offline(qtbot: Any, rig: Rig) -> Iterator[Any]:
    """The body of a `till_two` fixture (yield from it, after till 1's sales): both tills
    sync, the cloud stops, and till 2's screen opens for 李娜, a cashier."""
    from pos_app.cli.context import AppContext
    from pos_app.domain.users import Role
    from pos_app.ui.app import build_app, teardown

    rig.sync(rig.a)
    rig.sync(rig.b)
    assert rig.server is not None
    rig.server.stop()
    ctx = AppContext(rig.b)
    ctx.till.users.add("李娜", {Role.CASHIER}, "7391")
    t = build_app(ctx.till, lang="zh", customer_display=False)
    t.window.resize(1280, 800)
    qtbot.addWidget(t.window)
    yield t
    teardown(t)
    ctx.close()
