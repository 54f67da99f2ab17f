"""/console/ (the stores one may see) and /console/stores/{store_id} (its tills, dead
letters, enrolment and revocation), with the actions: re-queue a dead letter, make an
enrolment code, revoke a till.  Every action checks the store server-side first."""

from __future__ import annotations

from datetime import datetime

from starlette.responses import RedirectResponse, Response

from ..common import ApiError
from ..rejections import CloudRejections
from . import tills as t
from .facts import CHINA
from .layout import csrf_field, esc, money, table
from .web import Ctx, NotFound

STATE = {
    "synced": '<span class="tag ok">✓ 已同步 synced</span>',
    "unsynced": '<span class="tag bad">⚠ 未同步 unsynced</span>',
    "never": '<span class="tag bad">⚠ 从未同步 never synced</span>',
    "revoked": '<span class="tag muted">✕ 已吊销 revoked</span>',
}


def china_day(now: datetime) -> str:
    return (now + CHINA).date().isoformat()


def ago(at: str | None, now: datetime) -> str:
    if not at:
        return "—"
    when = datetime.fromisoformat(at.replace("Z", "+00:00"))
    s = int((now - when).total_seconds())
    text = (
        f"{s} 秒前 s ago" if s < 120
        else f"{s // 60} 分钟前 min ago" if s < 7200
        else f"{s // 3600} 小时前 h ago" if s < 172800
        else f"{s // 86400} 天前 days ago"
    )  # fmt: skip
    return f'<span title="{esc(at)}">{text}</span>'


def home(ctx: Ctx) -> Response:
    now = ctx.console.now()
    day = china_day(now)
    with ctx.db.tx() as tx:
        stores = t.visible_stores(tx, None if ctx.viewer.hq else ctx.viewer.stores)
        sums = t.store_summaries(tx, now, day)
    rows = []
    for sid, name in stores:
        s = sums.get(sid, {})
        unsynced = s.get("unsynced", 0)
        dead = s.get("dead", 0)
        rows.append(
            [
                f'<a href="/console/stores/{esc(sid)}">{esc(sid)}</a>',
                esc(name),
                str(s.get("tills", 0)),
                f'<span class="bad">⚠ {unsynced}</span>' if unsynced else "0",
                f'<span class="bad">⚠ {dead}</span>' if dead else "0",
                str(s.get("sales", 0)),
                esc(money(s.get("net_fen", 0))),
            ]
        )
    body = (
        f'<h1>门店 Stores</h1><p class="muted">营业日 Business day {esc(day)}</p>'
        '<div class="card">'
        + table(
            [
                "门店 Store",
                "名称 Name",
                "收银台 Tills",
                "未同步 Unsynced",
                "死信 Dead letters",
                "今日笔数 Sales today",
                "今日净额 Net today",
            ],
            rows,
            numeric=(2, 3, 4, 5, 6),
        )
        + "</div>"
    )
    return ctx.page("门店 Stores", body)


def _devices_cell(devices: list[dict[str, str]]) -> str:
    if not devices:
        return '<span class="muted">—</span>'
    out = []
    for d in devices:
        ok = d["state"] in ("ok", "online", "ready")
        mark = "✓" if ok else "⚠"
        reason = f" — {esc(d['reason'])}" if d["reason"] else ""
        out.append(
            f'<div class="{"ok" if ok else "bad"}">{mark} {esc(d["kind"])} {esc(d["device"])}: '
            f"{esc(d['state'])}{reason}</div>"
        )
    return "".join(out)


def store(ctx: Ctx) -> Response:
    store_id = str(ctx.request.path_params["store_id"])
    ctx.require_store(store_id)
    now = ctx.console.now()
    with ctx.db.tx() as tx:
        name = t.store_name(tx, store_id)
        if name is None:
            raise NotFound(f"没有门店 {store_id} / No store {store_id}")
        tills = t.tills(tx, store_id, now)
        dead = t.dead_letters(tx, store_id)
    till_rows = []
    for x in tills:
        missing = (
            f'<span class="bad">{x["missing"]} (seq {x["oldest_missing_seq"]}…)</span>'
            if x["missing"] else "0"
        )  # fmt: skip
        revoke = ""
        if not x["revoked_at"]:
            revoke = (
                f'<form class="inline" method="post" action="/console/stores/{esc(store_id)}'
                f'/revoke" data-confirm="吊销收银台 {x["till_no"]}？Revoke till {x["till_no"]}?">'
                f'{csrf_field(ctx.session.csrf)}<input type="hidden" name="device_id" '
                f'value="{esc(x["device_id"])}"><button class="danger" type="submit">'
                "吊销 Revoke</button></form>"
            )
        till_rows.append(
            [
                f'{x["till_no"]}<div class="muted">{esc(x["device_id"])}</div>',
                STATE[x["state"]],
                ago(x["last_seen_at"], now),
                missing,
                f'<span class="bad">{x["dead_letters"]}</span>' if x["dead_letters"] else "0",
                esc(x["app_version"] or "—"),
                _devices_cell(x["devices"]),
                revoke,
            ]
        )
    dead_rows = []
    for d in dead:
        if d["state"] == "rejected":
            action = (
                f'<form class="inline" method="post" action="/console/stores/{esc(store_id)}'
                f'/requeue">{csrf_field(ctx.session.csrf)}<input type="hidden" name="event_id" '
                f'value="{esc(d["id"])}"><button type="submit">重新排队 Re-queue</button></form>'
            )
        else:
            action = (
                '<span class="muted">已清除，待收银台重发（收银台上运行 guitai sync requeue）'
                " cleared: the till resends it with `guitai sync requeue`</span>"
            )
        dead_rows.append(
            [
                str(d["till_no"]),
                str(d["seq"]),
                esc(d["type"]),
                f"<b>{esc(d['code'])}</b>: {esc(d['reason'])}"
                f'<div class="muted">{esc(d["about"])}</div>',
                esc(d["received_at"]),
                action,
            ]
        )
    msg = ""
    if ctx.arg("done") == "requeued":
        msg = '<p class="msg">已清除该死信，收银台重发后将再次校验。Cleared: the till\'s resend is checked again.</p>'
    elif ctx.arg("done") == "revoked":
        msg = '<p class="msg">收银台已吊销。The till is revoked.</p>'
    body = (
        f"<h1>{esc(store_id)} {esc(name)}</h1>{msg}"
        '<h2>收银台 Tills</h2><div class="card" id="tills">'
        + table(
            [
                "收银台 Till",
                "状态 State",
                "最后联系 Last seen",
                "缺失事件 Missing events",
                "死信 Dead letters",
                "版本 Version",
                "打印机/终端 Printer / terminal",
                "",
            ],
            till_rows,
            numeric=(3, 4),
        )
        + '</div><h2>死信 Dead letters</h2><div class="card" id="dead-letters">'
        + table(
            ["收银台 Till", "序号 Seq", "类型 Type", "原因 Reason", "收到 Received", ""],
            dead_rows,
        )
        + '</div><h2>注册收银台 Enrol a till</h2><div class="card">'
        f'<form method="post" action="/console/stores/{esc(store_id)}/enrol">'
        f"{csrf_field(ctx.session.csrf)}<p>生成一次性注册码，交给技术员在新收银台上输入（24 小时内有效）。"
        " Make a one-time code for the technician to enter on the new till (valid 24 h).</p>"
        '<button type="submit">生成注册码 Make an enrolment code</button></form></div>'
    )
    return ctx.page(f"{store_id} {name}", body)


def _back(store_id: str, done: str) -> Response:
    return RedirectResponse(f"/console/stores/{store_id}?done={done}", status_code=303)


def requeue(ctx: Ctx) -> Response:
    store_id = str(ctx.request.path_params["store_id"])
    ctx.require_store(store_id)
    event_id = ctx.form.get("event_id", "")
    with ctx.db.tx() as tx:
        owner = t.event_store(tx, event_id)
    # the event must be of this store: a forged id of another store's event is refused
    if owner is None:
        raise NotFound(f"没有事件 {event_id} / No event {event_id}")
    ctx.require_store(owner)
    if owner != store_id:
        raise NotFound(f"事件 {event_id} 不属于门店 {store_id} / not an event of {store_id}")
    try:
        CloudRejections(ctx.db, ctx.console.now).clear([event_id])
    except ApiError as err:
        raise NotFound(f"{err.message}") from err
    ctx.audit("requeue_dead_letter", store_id, event_id)
    return _back(store_id, "requeued")


def revoke(ctx: Ctx) -> Response:
    store_id = str(ctx.request.path_params["store_id"])
    ctx.require_store(store_id)
    device_id = ctx.form.get("device_id", "")
    with ctx.db.tx() as tx:
        owner = t.device_store(tx, device_id)
    if owner is None:
        raise NotFound(f"没有收银台 {device_id} / No till {device_id}")
    ctx.require_store(owner)
    if owner != store_id:
        raise NotFound(f"收银台 {device_id} 不属于门店 {store_id} / not a till of {store_id}")
    ctx.console.service.admin.revoke_device(device_id)
    ctx.audit("revoke_till", store_id, device_id)
    return _back(store_id, "revoked")


def enrol(ctx: Ctx) -> Response:
    store_id = str(ctx.request.path_params["store_id"])
    ctx.require_store(store_id)
    try:
        made = ctx.console.service.admin.enrollment_code(store_id)
    except ApiError as err:
        raise NotFound(err.message) from err
    # the code itself is not logged: it is a secret until it is used
    ctx.audit("enrolment_code", store_id, "", f"expires {made['expires_at']}")
    body = (
        f'<h1>注册码 Enrolment code · {esc(store_id)}</h1><div class="card">'
        "<p>把此代码交给技术员，在新收银台上运行 <code>guitai enroll --cloud URL --code CODE</code> 时输入。只显示这一次。"
        " Hand this code to the technician, to enter on the new till: it is shown only once.</p>"
        f'<p class="code" id="enrol-code">{esc(made["code"])}</p>'
        f'<p class="muted">有效期至 Valid until {esc(made["expires_at"])} (UTC)</p>'
        f'<p><a href="/console/stores/{esc(store_id)}">返回门店 Back to the store</a></p></div>'
    )
    return ctx.page("注册码 Enrolment code", body)
