"""The console's page shell and the small pieces every page uses: escaping, money in yuan,
tables, and bar charts as inline SVG.

Every string that came from a till, a member or a user goes through `esc` (html.escape,
quotes included) before it reaches a page: item names, associates, reasons, store names.
Charts carry their figures as text beside each bar, and negative bars are hatched, so they
read without colour.  No script is needed to read a page; the one small script only asks
before a destructive button acts.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from . import csrf

STYLE = """
*{box-sizing:border-box}body{margin:0;font:15px/1.5 -apple-system,"PingFang SC",
"Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#1d1d1f;background:#f5f5f7}
header{background:#1f2a44;color:#fff;padding:10px 16px;display:flex;flex-wrap:wrap;
gap:6px 18px;align-items:center}header a{color:#fff;text-decoration:none}
header .brand{font-weight:bold;margin-right:auto}header form{margin:0}
header button{background:none;border:1px solid #fff;color:#fff;border-radius:4px;padding:2px 8px}
main{max-width:1180px;margin:0 auto;padding:12px 16px 40px}
h1{font-size:22px;margin:12px 0}h2{font-size:18px;margin:22px 0 8px}
.card{background:#fff;border-radius:8px;padding:12px 16px;margin:12px 0;
box-shadow:0 1px 2px rgba(0,0,0,.08);overflow-x:auto}
table{border-collapse:collapse;width:100%;min-width:520px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e5e5ea;vertical-align:top}
th{font-size:13px;color:#555;font-weight:600}td.n,th.n{text-align:right;white-space:nowrap}
.bad{color:#a01818;font-weight:bold}.ok{color:#17692f}.muted{color:#777;font-size:13px}
.tag{display:inline-block;border:1px solid currentColor;border-radius:4px;padding:0 5px;
font-size:12px;font-weight:bold}
form.inline{display:inline}label{display:block;margin:8px 0 2px;font-size:14px}
input,select{font-size:15px;padding:6px 8px;border:1px solid #bbb;border-radius:5px}
button{font-size:14px;padding:6px 12px;border:0;border-radius:5px;background:#1f2a44;
color:#fff;cursor:pointer}button.danger{background:#a01818}
.filters{display:flex;flex-wrap:wrap;gap:8px 14px;align-items:flex-end}
.filters label{margin:0}.code{font:bold 22px monospace;letter-spacing:2px}
.msg{padding:10px 12px;border-radius:6px;background:#e9f6ee;margin:10px 0}
.msg.err{background:#fbeaea;color:#a01818}
svg text{font-size:12px;fill:#1d1d1f}
@media (max-width:700px){main{padding:8px}h1{font-size:19px}}
"""

SCRIPT = """
document.addEventListener('submit',function(e){var f=e.target;
if(f.dataset.confirm&&!window.confirm(f.dataset.confirm)){e.preventDefault();}});
"""


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def money(fen: int) -> str:
    """¥1,234.56 from integer fen (never a float)."""
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign}¥{fen // 100:,}.{fen % 100:02d}"


def csrf_field(token: str) -> str:
    return f'<input type="hidden" name="{csrf.FIELD}" value="{esc(token)}">'


def page(title: str, body: str, *, user: str | None = None, csrf_token: str = "") -> str:
    nav = ""
    if user is not None:
        nav = (
            '<nav><a href="/console/">门店 Stores</a> · <a href="/console/sales">销售 Sales</a>'
            ' · <a href="/console/z">日结 Z reports</a> · <a href="/console/funnel">漏斗 Funnel</a>'
            ' · <a href="/console/members">会员 Members</a>'
            ' · <a href="/console/catalog">商品 Catalog</a>'
            ' · <a href="/console/stock">库存 Stock</a>'
            ' · <a href="/console/audit">审计 Audit</a></nav>'
            f'<span>{esc(user)}</span><form method="post" action="/console/logout">'
            f'{csrf_field(csrf_token)}<button type="submit">退出 Sign out</button></form>'
        )
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{esc(title)} · 柜台控制台 Guitai console</title><style>{STYLE}</style></head>"
        f'<body><header><a class="brand" href="/console/">柜台控制台 Guitai console</a>{nav}'
        f"</header><main>{body}</main><script>{SCRIPT}</script></body></html>"
    )


def table(head: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[int] = ()) -> str:
    """A table whose cells are already HTML (escape before); `numeric` columns align right."""

    def cls(i: int) -> str:
        return ' class="n"' if i in numeric else ""

    th = "".join(f"<th{cls(i)}>{h}</th>" for i, h in enumerate(head))
    body = "".join(
        "<tr>" + "".join(f"<td{cls(i)}>{c}</td>" for i, c in enumerate(r)) + "</tr>" for r in rows
    )
    if not body:
        body = f'<tr><td colspan="{len(head)}" class="muted">无数据 Nothing yet</td></tr>'
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def bar_chart(title: str, items: Sequence[tuple[str, int]], *, fmt: str = "money") -> str:
    """Horizontal bars, each labelled with its name and figure (readable without colour);
    negative figures are hatched."""
    if not items:
        return f'<p class="muted">{esc(title)}: 无数据 no data</p>'
    top = max(abs(v) for _, v in items) or 1
    row_h, label_w, bar_w, value_w = 22, 120, 360, 110
    height = row_h * len(items) + 8
    width = label_w + bar_w + value_w
    parts = [
        f'<svg role="img" aria-label="{esc(title)}" viewBox="0 0 {width} {height}" '
        f'width="100%" style="max-width:{width}px" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{esc(title)}</title>"
        '<defs><pattern id="neg" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#a01818" stroke-width="3"/></pattern></defs>'
    ]
    for i, (label, value) in enumerate(items):
        y = 4 + i * row_h
        w = max(1, round(bar_w * abs(value) / top)) if value else 0
        fill = 'url(#neg)" stroke="#a01818' if value < 0 else "#3b5b9a"
        shown = money(value) if fmt == "money" else f"{value:,}"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{esc(label)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="{row_h - 6}" fill="{fill}"/>'
            f'<text x="{label_w + w + 6}" y="{y + 15}">{esc(shown)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
