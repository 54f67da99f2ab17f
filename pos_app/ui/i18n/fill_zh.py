"""Fills guitai_zh_CN.ts from the glossary below after `pyside6-lupdate` adds new strings.

    /work/main/.venv/bin/pyside6-lupdate pos_app/ui/*.py -ts pos_app/ui/i18n/guitai_zh_CN.ts
    python pos_app/ui/i18n/fill_zh.py
    /work/main/.venv/bin/pyside6-lrelease pos_app/ui/i18n/guitai_zh_CN.ts

Strings already translated in the .ts (e.g. by a translator in Qt Linguist) are kept.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ZH = {
    "Refund done: receipt no. %1, paid back: %2.": "退款完成：小票号 %1，已退：%2。",
    "Cancel payment": "取消支付",
    "Cancelling…": "正在取消…",
    "approved": "已批准",
    "unavailable": "暂不可用",
    "Scan the customer's %1 payment code": "请扫描顾客的%1付款码",
    "%1 is not available on this till: take another tender.": "本机暂不能使用%1：请改用其他支付方式。",
    "%1: %2 — follow the terminal": "%1：%2 — 请按终端提示操作",
    "Gift receipt": "礼品小票",
    "Gift receipt for %1 printed.": "小票 %1 的礼品小票已打印。",
    "Gift receipt %1 (no printer configured)": "礼品小票 %1（未配置打印机）",
    "Scan for your e-receipt": "扫码查看电子小票",
    "Original payment": "原路退回",
    "Checking the receipt…": "正在验证小票…",
    "Receipt %1: ": "小票 %1：",
    "#": "序号",
    "%n item(s)": "共 %n 件",
    "%n piece(s)": "%n 件",
    "A manager closes the day.": "日结需要店长授权。",
    "Alipay": "支付宝",
    "Amount": "金额",
    "Amount (yuan)": "金额（元）",
    "Amount due": "应收",
    "Apply": "确定",
    "Approve": "授权",
    "Back": "返回",
    "Back  Esc": "返回  Esc",
    "Back to sale  Esc": "返回收银  Esc",
    "Business day %1 · opened by %2 at %3": "营业日 %1 · %2 于 %3 开班",
    "Can return": "可退",
    "Cancel": "取消",
    "Cancel payments  F3": "取消付款  F3",
    "Cancel the payments (F3) before going back.": "请先取消付款（F3）再返回。",
    "Card": "银行卡",
    "Card terminal": "刷卡终端",
    "Terminal": "刷卡终端",
    "not set up": "未配置",
    "Cash": "现金",
    "Cash received": "实收现金",
    "Cash rounding: %1 off": "抹零 %1",
    "Cash sales (net)": "现金销售（净额）",
    "Cashier %1": "收银员 %1",
    "Change %1": "找零 %1",
    "Change due": "找零",
    "Checking…": "正在验证…",
    "Choose a user": "请选择用户",
    "Close": "关闭",
    "Close day (Z)": "日结（Z）",
    "Close the day (Z report)": "日结（Z 报表）",
    "Count the cash": "清点现金",
    "Count the float in the drawer and type it in.": "请清点钱箱中的备用金并输入金额。",
    "Counted": "清点金额",
    "Customer display": "客显",
    "Difference": "差额",
    "Discount": "折扣",
    "Discount (10% or an amount in yuan; empty removes it)": "折扣（如 10% 或金额；留空即取消）",
    "Discounts": "优惠",
    "Discounts given": "优惠合计",
    "Drawer": "钱箱",
    "Expected %1": "应有 %1",
    "Expected in drawer": "钱箱应有",
    "Find": "查找",
    "Float": "备用金",
    "Give a reason (it is printed on the Z report).": "请填写原因（会打印在日结报表上）。",
    "Give a reason for the discount.": "请填写折扣原因。",
    "Guitai till": "柜台收银",
    "Item": "商品",
    "Line discount": "单品折扣",
    "Manager": "店长",
    "Manager approval": "店长授权",
    "Manager, PIN and reason are all needed.": "请填写店长、PIN 和原因。",
    "Member  F6": "会员  F6",
    "Members are not configured on this till yet.": "本机尚未配置会员服务。",
    "Members: not configured": "会员：未配置",
    "Net takings": "净营业额",
    "Network": "网络",
    "Next customer  Enter": "下一位顾客  Enter",
    "No match: press Enter to try it as a barcode": "无匹配商品：按 Enter 按条码查找",
    "No parked sales.": "没有挂单。",
    "No payments yet": "暂无收款",
    "No receipt printer is configured: the receipt is shown here.": "未配置小票打印机：小票内容显示如下。",
    "No receipts yet.": "还没有小票。",
    "No sales yet": "暂无销售",
    "Note (optional)": "备注（可选）",
    "Number of notes and coins of each kind in the drawer.": "输入钱箱中各面额纸币和硬币的数量。",
    "OK": "正常",
    "Open shift": "开班",
    "Open the shift": "开班",
    "Order discount": "整单折扣",
    "Original payment (not configured)": "原路退回（未配置）",
    "PIN": "PIN 密码",
    "Paid each": "单件实付",
    "Paid in / paid out": "存入 / 取出",
    "Pay  F2": "收款  F2",
    "Pay in": "存入现金",
    "Pay out": "取出现金",
    "Payments": "已收款",
    "Payment has started: go back (Esc) to add more items.": "正在收款：如需加购请先返回（Esc）。",
    "Price": "单价",
    "Printer": "打印机",
    "Qty": "数量",
    "Quantity": "数量",
    "Reason": "原因",
    "Receipt": "小票",
    "Receipt %1 (no printer configured)": "小票 %1（未配置打印机）",
    "Receipt %1 reprinted.": "小票 %1 已重印。",
    "Receipt %1 · %2 · cashier %3 · total %4": "小票 %1 · %2 · 收银员 %3 · 合计 %4",
    "Receipt no. %1": "小票号 %1",
    "Receipt number of the sale": "原销售小票号",
    "Receipt sent to the printer.": "小票已发送到打印机。",
    "Receipts": "小票号",
    "Refresh X report": "刷新 X 报表",
    "Refund": "退款",
    "Refund done: receipt no. %1, pay out %2 in cash.": "退款完成：小票号 %1，请退还现金 %2。",
    "Refund to": "退款方式",
    "Refunds": "退货",
    "Reprint": "重印",
    "Reprint  F8": "重印  F8",
    "Reprint a receipt": "重印小票",
    "Resume": "取单",
    "Resume  F5": "取单  F5",
    "Resume a parked sale": "取回挂单",
    "Return": "退货",
    "Return  F7": "退货  F7",
    "Return goods": "退货",
    "Sale": "销售",
    "Sale parked as no. %1": "已挂单，单号 %1",
    "Sale total": "订单合计",
    "Sales": "销售",
    "Sales by hour": "分时段销售",
    "Sales by tender": "按付款方式",
    "Saving…": "正在保存…",
    "Say why the line is voided.": "请填写删除原因。",
    "Say why the sale is voided.": "请填写作废原因。",
    "Scan a barcode, or type SKU, name or pinyin initials": "扫描条码，或输入货号、品名、拼音首字母",
    "Scanner": "扫码枪",
    "Shift  F9": "班次  F9",
    "Shift open. Happy selling!": "已开班，祝生意兴隆！",
    "Sign in": "登录",
    "Sign out": "退出",
    "Sold": "已售",
    "Status not known yet.": "状态未知。",
    "Subtotal": "小计",
    "Suspend": "挂单",
    "Suspend  F4": "挂单  F4",
    "Suspend sale": "挂单",
    "Sync": "同步",
    "Take cash  Enter": "收现金  Enter",
    "Tap your name first.": "请先点选您的名字。",
    "Tap your name, then enter your PIN.": "点选您的名字，然后输入 PIN 密码。",
    "Thank you!": "谢谢惠顾！",
    "The whole sale is cancelled and recorded as voided.": "整单将被取消并记录为作废。",
    "Till %1": "%1 号收银台",
    "To pay": "应付",
    "Total": "合计",
    "Total %1 · received %2": "合计 %1 · 实收 %2",
    "Type a whole number.": "请输入整数。",
    "Type the receipt number (digits only).": "请输入小票号（仅数字）。",
    "Void line": "删除商品",
    "Void sale": "整单作废",
    "Waiting to send: %1": "待发送：%1",
    "WeChat Pay": "微信支付",
    "Welcome": "欢迎光临",
    "What happened": "发生了什么",
    "What to do": "如何处理",
    "Who is selling?": "谁在收银？",
    "Whole sale": "整单",
    "X report (shift still open)": "X 报表（班次进行中）",
    "Z report no. %1 (day closed)": "Z 报表 %1 号（已日结）",
    "balances": "相符",
    "change %1": "找零 %1",
    "check": "请检查",
    "e.g. change from the bank": "例如：从银行换零钱",
    "e.g. customer changed their mind": "例如：顾客不要了",
    "e.g. customer left": "例如：顾客离开",
    "e.g. damaged, VIP, price match": "例如：瑕疵、VIP、比价",
    "e.g. lady in red coat": "例如：红色外套的女士",
    "e.g. wrong size": "例如：尺码不合适",
    "fault": "故障",
    "not configured": "未配置",
    "over %1": "长款 %1",
    "short %1": "短款 %1",
}


def fill(ts: Path) -> list[str]:
    tree = ET.parse(ts)
    missing: list[str] = []
    for msg in tree.iter("message"):
        src = msg.findtext("source") or ""
        tr = msg.find("translation")
        if tr is None:
            tr = ET.SubElement(msg, "translation")
        translated = bool((tr.text or "").strip()) or len(tr) > 0
        if tr.get("type") == "unfinished" or not translated:
            zh = ZH.get(src)
            if zh is None:
                missing.append(src)
                continue
            if msg.get("numerus") == "yes":
                tr.text = None
                for child in list(tr):
                    tr.remove(child)
                ET.SubElement(tr, "numerusform").text = zh
            else:
                tr.text = zh
            tr.attrib.pop("type", None)
    tree.write(ts, encoding="utf-8", xml_declaration=True)
    return missing


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).with_name("guitai_zh_CN.ts"))
    left = fill(target)
    for s in left:
        print("untranslated:", s)
    sys.exit(1 if left else 0)
