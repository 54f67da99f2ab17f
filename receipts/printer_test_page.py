"""The printer test page (a technician sees at once what works) and the store's logo file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .labels import tr
from .model import ReceiptDocument, Section, StoreInfo


def test_page(
    store: StoreInfo,
    printer_profile: Any,
    *,
    qr_url: str = "HTTPS://R.EXAMPLE.COM/R/TEST",
    now_text: str = "",
) -> ReceiptDocument:
    """A printer test page: the profile's settings, a column ruler, Chinese and money samples,
    and a QR in the profile's mode, so a technician sees at once what works."""
    p = printer_profile
    ruler = "".join(str(i % 10) for i in range(1, p.columns + 1))
    return ReceiptDocument(
        kind="test_page",
        title=tr(store.language, "打印测试页"),
        store=store,
        time_text=now_text,
        sections=(
            Section(
                "打印机",
                (
                    ("配置", p.name),
                    ("纸宽", f"{p.paper_mm}mm / {p.columns}列 / {p.dots}点"),
                    ("编码", p.encoding.upper()),
                    ("二维码", "打印机原生" if p.native_qr else "图像"),
                    ("开机中文模式", "是" if p.chinese_mode_at_power_on else "否"),
                ),
            ),
            Section(
                "字符",
                (
                    (ruler, ""),
                    ("中文：柜台收银 欢迎光临", ""),
                    ("金额：￥1,234.56 ¥78.90", ""),
                    ("繁體：歡迎光臨 櫃檯", ""),
                    ("Mixed 男士羊毛夹克 Wool Jacket", ""),
                ),
            ),
        ),
        qr_url=qr_url,
        qr_caption="扫码测试 QR TEST",
    )


def logo_file(store: StoreInfo) -> Path | None:
    return Path(store.logo_path) if store.logo_path else None
