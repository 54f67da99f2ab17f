"""The payment port (pos_app.domain.payments.PaymentPort) for each tender, split as the payment
drivers are: a ZVT terminal for `card` (zvt.py, drivers/zvt), WeChat Pay v2 for `wechat`
(wechatpay.py, drivers/wechatpay), Alipay for `alipay` (alipay.py, drivers/alipay); what the
two payment-code providers share in wallet.py, how a driver error becomes a ProviderResult in
common.py, and the wired PaymentService in wiring.py.
"""
