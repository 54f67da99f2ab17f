"""`guitai cloud stats [--json] [--minutes N]`: is the chain's fleet syncing? (issue 18)"""

from __future__ import annotations

from typing import Any

import click

from cloud.cli.common import _run, cloud, db_options, emit, json_option
from pos_app.domain.textwidth import display_width, ljust, rjust


@cloud.command("stats")
@click.option(
    "--minutes",
    default=60,
    show_default=True,
    type=click.IntRange(1, 7 * 24 * 60),
    help="The window events per minute are counted over (1 to 10080).",
)
@db_options
@json_option
def stats(minutes: int, db_file: str | None, database_url: str | None, as_json: bool) -> None:
    """Operational figures (运行指标): tills seen in the last hour, events ingested per minute,
    the till longest out of contact, dead letters (rejected events not cleared) per store."""
    from cloud.stats import CloudStats

    data = _run(lambda s: CloudStats(s.db, s.now).snapshot(minutes), db_file, database_url)
    emit(data, as_json, render)


def _table(rows: list[tuple[str, str]]) -> list[str]:
    # Labels mix CJK and Latin: pad by display width, not by characters.
    width = max(display_width(label) for label, _ in rows)
    return [f"{ljust(label, width)}  {value}" for label, value in rows]


def render(d: dict[str, Any]) -> str:
    oldest = d["oldest_unsynced_till"]
    if oldest is None:
        oldest_text = "no till enrolled (没有已注册的收银台)"
    else:
        never = " (never synced / 从未同步)" if oldest["never_synced"] else ""
        oldest_text = (
            f"{oldest['store_id']} {oldest['store_name']} till {oldest['till_no']} "
            f"({oldest['device_id']}), last contact {oldest['last_contact_at']}{never}"
        )
    lines = _table(
        [
            ("时间 at", d["at"]),
            ("活跃收银台 active tills", str(d["tills_active"])),
            ("近一小时联系 seen in the last hour", str(d["tills_seen_last_hour"])),
            (
                f"每分钟事件 events/min ({d['window_minutes']} min)",
                f"{d['events_per_minute']} ({d['events_ingested']} events)",
            ),
            ("最久未同步 oldest unsynced till", oldest_text),
            ("死信 dead letters", str(d["dead_letters_total"])),
        ]
    )
    by_store = d["dead_letters_by_store"]
    if by_store:
        head, count_head = "门店 store", "死信 dead letters"
        stores = [f"{r['store_id']} {r['store_name']}" for r in by_store]
        store_w = max(display_width(x) for x in [head, *stores])
        count_w = display_width(count_head)
        lines += ["", f"{ljust(head, store_w)}  {rjust(count_head, count_w)}"]
        lines += [
            f"{ljust(store, store_w)}  {rjust(str(r['dead_letters']), count_w)}"
            for store, r in zip(stores, by_store, strict=True)
        ]
    return "\n".join(lines)
