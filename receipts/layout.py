"""Column layout: the receipt document as a list of blocks for a given paper width.

Widths are counted the way a Chinese ESC/POS printer prints: in Chinese mode (FS &) every
character outside ASCII is sent as one double-byte (or GB18030 four-byte) code and printed as a
full-width glyph, two columns wide: CJK ideographs, fullwidth forms (￥，：), and also the
East Asian *ambiguous* characters such as · × — … é.  ASCII prints one column.  The PNG preview
and the raster renderer draw on the same column grid, so every rendering lines up alike.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from .document import ReceiptDocument, money, rate_text
from .labels import tr
from .profiles import Paper
from .profiles import paper as to_paper


@dataclass(frozen=True, slots=True)
class Text:
    """One printed line, already padded for its alignment (trailing spaces stripped)."""

    text: str
    bold: bool = False
    big: bool = False  # double width and double height: half the columns
    centered: bool = False  # the leading spaces centre it (ESC/POS sends ESC a 1 instead)


@dataclass(frozen=True, slots=True)
class Logo:
    path: str


@dataclass(frozen=True, slots=True)
class Qr:
    url: str


@dataclass(frozen=True, slots=True)
class Feed:
    lines: int = 1


Block = Text | Logo | Qr | Feed


def char_width(ch: str) -> int:
    # Combining marks too: the printer prints each code as its own full-width glyph.  clean()
    # composes them first (NFC), so "e" + U+0301 arrives as one "é".
    return 1 if ord(ch) < 0x80 else 2


def text_width(text: str) -> int:
    return sum(char_width(c) for c in text)


def clean(text: str) -> str:
    """Control characters (tabs, newlines, ESC…) never reach the printer: they become spaces,
    and so do the odd Unicode spaces (no-break, thin…); the ideographic space 　 stays."""
    return "".join(
        " "
        if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") or (c.isspace() and c != "\u3000")
        else c
        for c in unicodedata.normalize("NFC", str(text))
    )


SEP = "·"  # the separator of phrases on one line ("微信扫码 查看电子小票 · 退换货凭证")

# Columns kept between a tender's label (with its card detail) and its amount on one line; less
# and "尾号8599 199.00" reads as one number, so the detail goes on a line of its own.
TENDER_GAP = 4


def wrap(text: str, width: int) -> list[str]:
    """Break text into lines of at most `width` columns.

    Chinese breaks between any two characters; a word or phrase is kept whole when the line
    has a space in its second half to break at.
    """
    text = clean(text).strip()
    if not text:
        return [""]
    lines: list[str] = []
    cur: list[str] = []
    cur_w = 0
    for ch in text:
        w = char_width(ch)
        if cur_w + w > width:
            carry: list[str] = []
            if ch != " " and cur and cur[-1] != " " and " " in cur:
                # break at the last space when it is in the second half of the line, so Latin
                # words and space-separated phrases stay whole
                i = len(cur) - 1 - cur[::-1].index(" ")
                if text_width("".join(cur[:i])) * 2 >= width:
                    carry = cur[i + 1 :]
                    cur = cur[:i]
            lines.append(_unhang("".join(cur).rstrip()))
            cur = carry
            if cur[:2] == [SEP, " "]:
                cur = cur[2:]  # "a · b" broken after the space: the next line starts with b
            cur_w = text_width("".join(cur))
            if ch == " " and not cur:
                continue
        cur.append(ch)
        cur_w += w
    lines.append("".join(cur).rstrip())
    return lines


def _unhang(line: str) -> str:
    """A line broken just after a " · " separator does not end with a stray "·"."""
    return line[:-2].rstrip() if line.endswith(" " + SEP) else line


def truncate(text: str, width: int) -> str:
    """Text cut to `width` columns, ending in "…" when cut."""
    text = clean(text).strip()
    if text_width(text) <= width:
        return text
    out = ""
    for ch in text:
        if text_width(out) + char_width(ch) + char_width("…") > width:
            break
        out += ch
    return out.rstrip() + "…"


def center(text: str, width: int) -> str:
    pad = max(0, (width - text_width(text)) // 2)
    return " " * pad + text


def right(text: str, width: int) -> str:
    return " " * max(0, width - text_width(text)) + text


def row(left: str, right_text: str, width: int, indent: int = 0) -> list[str]:
    """Left text and a right-aligned amount on one line, or the left text wrapped and the
    amount right-aligned on its last line (or a line of its own when it does not fit)."""
    left, right_text = clean(left).strip(), clean(right_text).strip()
    rw = text_width(right_text)
    if not right_text:
        return [" " * indent + x for x in wrap(left, width - indent)]
    if text_width(left) + indent + 1 + rw <= width:
        gap = width - indent - text_width(left) - rw
        return [" " * indent + left + " " * gap + right_text]
    parts = [" " * indent + x for x in wrap(left, width - indent)]
    last = parts[-1]
    if text_width(last) + 1 + rw <= width:
        parts[-1] = last + " " * (width - text_width(last) - rw) + right_text
    else:
        parts.append(right(right_text, width))
    return parts


def _sep(width: int, ch: str = "-") -> Text:
    return Text(ch * width)


def layout(doc: ReceiptDocument, paper_width: int | str | Paper) -> list[Block]:
    """The document as blocks for 58 mm (32 columns) or 80 mm (48 columns) paper."""
    p = to_paper(paper_width)
    w = p.columns
    lang = doc.store.language
    out: list[Block] = []

    def add(lines: list[str], bold: bool = False) -> None:
        out.extend(Text(x.rstrip(), bold) for x in lines)

    def big_center(text: str) -> None:
        if text_width(clean(text).strip()) > w // 2:
            add_center(text, bold=True)  # too long for double size: bold, normal size
        else:
            out.append(Text(center(clean(text).strip(), w // 2), True, True, True))

    def add_center(text: str, bold: bool = False) -> None:
        out.extend(Text(center(x, w).rstrip(), bold, False, True) for x in wrap(text, w))

    def kv(key: str, value: str, bold: bool = False) -> None:
        add(row(key, value, w), bold)

    if doc.store.logo_path:
        out.append(Logo(doc.store.logo_path))
    big_center(doc.store.name)
    for text in (
        doc.store.address,
        f"{tr(lang, '电话')} {doc.store.phone}" if doc.store.phone else "",
    ):
        if text:
            add_center(text)
    add_center(doc.title, bold=True)
    if doc.reprint_count:
        big_center(tr(lang, "重印 第{n}次", n=doc.reprint_count))
    if doc.gift:
        add_center(tr(lang, "(不显示价格)"))
    out.append(_sep(w, "="))

    meta: list[tuple[str, str]] = []
    if doc.receipt_no is not None:
        meta.append((tr(lang, "小票号"), doc.receipt_no_text))
    if doc.original_receipt_no is not None:
        meta.append((tr(lang, "原小票号"), f"{doc.original_receipt_no:06d}"))
    if doc.store.store_id:
        meta.append((tr(lang, "门店"), doc.store.store_id))
    if doc.till_no is not None:
        meta.append((tr(lang, "收银台"), f"{doc.till_no:02d}"))
    if doc.cashier:
        meta.append((tr(lang, "收银员"), doc.cashier))
    if doc.associate:
        meta.append((tr(lang, "导购"), doc.associate))
    if doc.time_text:
        meta.append((tr(lang, "时间"), doc.time_text))
    meta.extend(doc.meta.items())
    for key, value in meta:
        add(row(f"{key}：{value}", "", w))
    if doc.reason:
        add(row(f"{tr(lang, '退货原因')}：{doc.reason}", "", w))

    if doc.lines:
        out.append(_sep(w))
        if doc.gift:
            kv(tr(lang, "商品"), tr(lang, "数量"))
        else:
            kv(tr(lang, "商品"), tr(lang, "金额"))
        out.append(_sep(w))
        for line in doc.lines:
            add(wrap(line.name, w))
            if line.variant:
                add(row(line.variant, "", w, indent=2))
            if doc.gift:
                add(row(f"× {line.qty}", "", w, indent=2))
                continue
            gross = line.qty * line.unit_price_fen
            add(row(f"{line.qty} × {money(line.unit_price_fen)}", money(gross), w, indent=2))
            if line.member_saving_fen:
                add(row(tr(lang, "会员价优惠"), money(-line.member_saving_fen), w, indent=2))
            if line.discount_fen:
                add(row(tr(lang, "优惠"), money(-line.discount_fen), w, indent=2))
        out.append(_sep(w))

    if doc.kind in ("sale", "refund") and not doc.gift:
        if doc.lines:
            kv(tr(lang, "件数"), f"{doc.item_count}")
        if doc.kind == "sale" and doc.lines:
            kv(tr(lang, "原价合计"), money(doc.subtotal_fen))
            if doc.discount_fen:
                kv(tr(lang, "优惠合计"), money(-doc.discount_fen))
            if doc.rounding_fen:
                kv(tr(lang, "抹零"), money(-doc.rounding_fen))
        label = tr(lang, "应收" if doc.kind == "sale" else "退款合计")
        total = ("-￥" if doc.total_fen < 0 else "￥") + money(abs(doc.total_fen))
        if text_width(label) + 1 + text_width(total) <= w // 2:
            out.extend(Text(x, True, True) for x in row(label, total, w // 2))
        else:
            kv(label, total, bold=True)
        for t in doc.tenders:
            amount = money(t.amount_fen)
            one = t.label + (f" {t.detail}" if t.detail else "")
            if not t.detail or text_width(one) + TENDER_GAP + text_width(amount) <= w:
                kv(one, amount)
            else:
                kv(t.label, amount)
                add(row(t.detail, "", w, indent=2))
            if t.ref:
                # the acquirer's number whole, never broken: on its own line where it must be
                ref_label = tr(lang, "交易单号")
                if 2 + text_width(ref_label) + 1 + text_width(t.ref) <= w:
                    add(row(f"{ref_label} {t.ref}", "", w, indent=2))
                else:
                    add(row(ref_label, "", w, indent=2))
                    add(row(t.ref, "", w, indent=2))
            if t.change_fen and doc.kind != "sale":
                kv(tr(lang, "找零"), money(t.change_fen))
        if doc.kind == "sale" and doc.tenders:
            # 应收 / 实收 / 找零: what was due, what the customer handed over, the change.
            kv(tr(lang, "实收"), money(sum(t.amount_fen for t in doc.tenders)))
            kv(tr(lang, "找零"), money(sum(t.change_fen for t in doc.tenders)))
        if doc.vat:
            out.append(_sep(w))
            for v in doc.vat:
                kv(tr(lang, "含增值税 {rate}", rate=rate_text(v.rate_bp)), money(v.vat_fen))
                if len(doc.vat) > 1:
                    add(row(tr(lang, "价税合计"), money(v.gross_fen), w, indent=2))
    elif doc.kind in ("sale", "refund"):
        kv(tr(lang, "件数"), f"{doc.item_count}")

    if doc.member is not None:
        out.append(_sep(w))
        m = doc.member
        kv(tr(lang, "会员"), m.phone_masked + (f" {m.tier}" if m.tier else ""))
        if m.points_earned is not None:
            kv(tr(lang, "本次积分"), f"{m.points_earned:+d}")
        if m.points_balance is not None:
            kv(tr(lang, "积分余额"), f"{m.points_balance}")

    for section in doc.sections:
        out.append(_sep(w))
        if section.title:
            add_center(section.title, bold=True)
        for key, value in section.rows:
            # leading spaces mark a sub-row (a cashier's returns under the cashier)
            indent = len(key) - len(key.lstrip(" "))
            if section.fit and value:
                key = truncate(key.strip(), w - indent - 1 - text_width(clean(value).strip()))
            add(row(key, value, w, indent))

    if doc.footer:
        out.append(_sep(w))
        for text in doc.footer:
            add_center(text)

    if doc.qr_url:
        out.append(Feed(1))
        out.append(Qr(doc.qr_url))
        add_center(doc.qr_caption)
    # whatever path a text took, no control character reaches the printer
    return [
        Text(clean(b.text), b.bold, b.big, b.centered) if isinstance(b, Text) else b for b in out
    ]


def render_text(doc: ReceiptDocument, paper_width: int | str | Paper) -> str:
    """Plain-text preview (terminal, logs, `guitai receipt show`).  Big lines are shown with
    their characters spread over double width so columns match the paper."""
    out: list[str] = []
    for block in layout(doc, paper_width):
        if isinstance(block, Text):
            if block.big:
                out.append("".join(c + (" " if char_width(c) == 1 else "　") for c in block.text))
            else:
                out.append(block.text)
        elif isinstance(block, Logo):
            out.append("[LOGO]")
        elif isinstance(block, Qr):
            out.append(f"[QR {block.url}]")
        else:
            out.extend([""] * block.lines)
    return "\n".join(x.rstrip() for x in out) + "\n"
