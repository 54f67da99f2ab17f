"""The fixed words printed on receipts, in Simplified Chinese (mainland stores, the default)
and Traditional Chinese (Taiwan / Hong Kong stores, Big5 printers).  A Big5 printer has no
glyphs for most simplified characters, so a store on one must print traditional labels or every
label line would go out as an image."""

from __future__ import annotations

from typing import Literal

Language = Literal["zh-Hans", "zh-Hant"]

_HANT = {
    "电话": "電話",
    "重印 第{n}次": "重印 第{n}次",
    "(不显示价格)": "(不顯示價格)",
    "小票号": "收據號",
    "原小票号": "原收據號",
    "门店": "門市",
    "收银台": "收銀台",
    "收银员": "收銀員",
    "导购": "導購",
    "时间": "時間",
    "退货原因": "退貨原因",
    "商品": "商品",
    "金额": "金額",
    "数量": "數量",
    "优惠": "優惠",
    "件数": "件數",
    "原价合计": "原價合計",
    "优惠合计": "優惠合計",
    "抹零": "抹零",
    "应收": "應收",
    "退款合计": "退款合計",
    "找零": "找零",
    "含增值税 {rate}": "含營業稅 {rate}",
    "价税合计": "含稅合計",
    "会员": "會員",
    "本次积分": "本次積分",
    "积分余额": "積分餘額",
    "颜色": "顏色",
    "尺码": "尺碼",
    "尾号": "末四碼",
    "销售小票": "銷售收據",
    "礼品小票": "禮品收據",
    "退货小票": "退貨收據",
    "日结报表 (Z)": "日結報表 (Z)",
    "打印测试页": "列印測試頁",
    "现金": "現金",
    "微信支付": "微信支付",
    "支付宝": "支付寶",
    "银行卡": "銀行卡",
    "银联": "銀聯",
    "储值卡": "儲值卡",
    "优惠券": "優惠券",
    "代金券": "代金券",
    "积分抵扣": "積分折抵",
    "汇总": "彙總",
    "谢谢惠顾，欢迎再次光临": "謝謝惠顧，歡迎再次光臨",
    "退款将原路退回，请保留本小票": "退款將原路退回，請保留本收據",
    "微信扫码 查看电子小票 · 退换货凭证": "掃碼查看電子收據 退換貨憑證",
    "已验证：本小票由门店收银机签发，未被篡改": "已驗證：本收據由門市收銀機簽發，未被竄改",
    "验证失败：本小票已被篡改或来自未知收银机，请勿凭此退换货": (
        "驗證失敗：本收據已被竄改或來自未知收銀機，請勿憑此退換貨"
    ),
    "电子小票": "電子收據",
    "小票明细正在同步，请稍后刷新": "收據明細正在同步，請稍後重新整理",
    "库存调整": "庫存調整",
    "无库存调整": "無庫存調整",
    "名称": "名稱",
    "原因": "原因",
    "行": "筆",
    "合计": "合計",
    "部分商品不在目录中，未计金额": "部分商品不在目錄中，未計金額",
    "负库存": "負庫存",
    "结存": "結存",
    "请核对货架实物": "請核對貨架實物",
    "盘点 count": "盤點 count",
    "收货 received": "收貨 received",
    "调出 transfer out": "調出 transfer out",
    "总部更新 cloud": "總部更新 cloud",
    "销售 sale": "銷售 sale",
    "退货 return": "退貨 return",
}


def tr(language: str, text: str, **values: object) -> str:
    """`text` (the Simplified Chinese label) in the store's language, with {values} filled."""
    out = _HANT.get(text, text) if language == "zh-Hant" else text
    return out.format(**values) if values else out
