"""The single view at the counter (issue 21): a member across every store of the chain,
fetched from the cloud when a member is attached, kept on the till, and shown from there
with its age when the cloud cannot be reached."""

from __future__ import annotations

import logging
from typing import Any, Protocol

from pos_app.domain.errors import GuitaiError, NotFound
from pos_app.domain.members import mask_phone
from pos_app.domain.timeutil import iso_utc, parse_iso

from .common import CloudUnavailable, MemberContext

log = logging.getLogger(__name__)


def _shown(view: dict[str, Any]) -> dict[str, Any]:
    """What a till shows: the phone masked, like the member panel."""
    shown = {k: v for k, v in view.items() if k != "phone"}
    return shown | {"phone_masked": mask_phone(str(view.get("phone", "")))}


class ChainViewCache(Protocol):
    def get(self, phone: str) -> tuple[dict[str, Any], str] | None: ...
    def put(self, phone: str, view: dict[str, Any], fetched_at: str) -> None:
        """Never raises: a cache that cannot be written costs only the offline copy."""


class MemoryChainViewCache:
    """A cache for a till built without a home (tests, tools): kept while it runs."""

    def __init__(self) -> None:
        self._views: dict[str, tuple[dict[str, Any], str]] = {}

    def get(self, phone: str) -> tuple[dict[str, Any], str] | None:
        return self._views.get(phone)

    def put(self, phone: str, view: dict[str, Any], fetched_at: str) -> None:
        self._views[phone] = (view, fetched_at)


class NoChainView(GuitaiError):
    code = "chain_view_unavailable"


class ChainViewNotEnrolled(NoChainView):
    code = "not_enrolled"


class MemberChainViews:
    def __init__(self, ctx: MemberContext, cache: ChainViewCache) -> None:
        self.ctx = ctx
        self.cache = cache

    def show(self, phone: str) -> dict[str, Any]:
        """The member's chain view: from the cloud (and cached), else from the cache with
        `source` "cache" and its `age_s`."""
        now = self.ctx.clock.now()
        cloud = self.ctx.cloud()
        unknown = False
        if cloud is not None:
            try:
                view = cloud.chain_view(phone)
            except CloudUnavailable as err:
                log.info("chain view of a member from the cache: %s", err)
            else:
                if view is not None:
                    at = iso_utc(now)
                    self.cache.put(phone, view, at)
                    return _shown(view) | {"source": "cloud", "fetched_at": at, "age_s": 0}
                unknown = True
        cached = self.cache.get(phone)
        if cached is not None:
            view, fetched_at = cached
            age = int((now - parse_iso(fetched_at)).total_seconds())
            return _shown(view) | {
                "source": "cache",
                "fetched_at": fetched_at,
                "age_s": max(0, age),
            }
        if unknown:
            raise NotFound(
                "The cloud does not know this member yet (their enrollment has not synced): "
                "run `guitai sync run`, then ask again",
                "云端尚无此会员（注册信息尚未同步）：请先运行 guitai sync run 再查看",
            )
        if cloud is None:
            raise ChainViewNotEnrolled(
                "This till is not enrolled with a cloud, so it has no chain-wide view: "
                "enroll it (guitai enroll) to see a member's purchases at every store",
                "本机未接入云端，无法查看全渠道会员视图：请先注册收银台（guitai enroll）",
            )
        raise NoChainView(
            "The cloud cannot be reached and this till has not fetched this member's "
            "chain-wide view before: try again when the network is back",
            "无法连接云端，且本机没有此会员的全渠道视图缓存：请在网络恢复后重试",
        )
