"""The 发票 section of the e-receipt page: the form to ask for an e-invoice (数电发票) while
none is asked for (or the last one failed), else its state: 申请中, 已开具 with the PDF link,
失败 and why, and any red-letter reversal (红冲) of a refund.

Every value from the request or the provider is HTML-escaped; the script sends the form as
JSON to POST /r/{token}/fapiao and shows the answer's Chinese message with textContent, so
nothing a customer typed is ever read as markup.  No external assets (WeChat's browser)."""

from __future__ import annotations

import html
from typing import Any

from ..ereceipt import yuan

STYLE = (
    "<style>.fp label{display:block;margin:8px 0 2px;font-size:14px}"
    ".fp input[type=text],.fp input[type=email],.fp input[type=tel]{width:100%;box-sizing:border-box;"
    "padding:10px;font-size:16px;border:1px solid #ccc;border-radius:6px}"
    ".fp button{width:100%;margin-top:12px;padding:12px;font-size:16px;border:0;"
    "border-radius:6px;background:#07c160;color:#fff;font-weight:bold}"
    ".fp .err{color:#a01818;margin-top:8px}.fp .st{font-weight:bold;font-size:16px}</style>"
)

SCRIPT = """<script>(function(){
var f=document.getElementById('fp-form');if(!f)return;
var co=f.querySelector('#fp-taxrow');
function kind(){return f.querySelector('input[name=kind]:checked').value;}
function show(){co.style.display=kind()==='company'?'block':'none';}
f.querySelectorAll('input[name=kind]').forEach(function(r){r.addEventListener('change',show);});
show();
f.addEventListener('submit',function(ev){ev.preventDefault();
var err=document.getElementById('fp-err');err.textContent='';
var body={kind:kind(),title:f.title.value,email:f.email.value,phone:f.phone.value};
if(kind()==='company'){body.tax_id=f.tax_id.value;}
var b=f.querySelector('button');b.disabled=true;
fetch(f.getAttribute('data-action'),{method:'POST',headers:{'Content-Type':'application/json',
'Accept':'application/json'},body:JSON.stringify(body)}).then(function(r){
return r.json().then(function(j){
if(r.status===202||r.status===409&&j.fapiao){location.reload();return;}
b.disabled=false;err.textContent=(j.error&&(j.error.message_zh||j.error.message))||'提交失败，请稍后再试';
});}).catch(function(){b.disabled=false;err.textContent='网络异常，请稍后再试';});
});})();</script>"""


def _form(token: str) -> str:
    action = html.escape(f"/r/{token}/fapiao")
    return (
        f'<form id="fp-form" data-action="{action}" novalidate>'
        '<label><input type="radio" name="kind" value="personal" checked> 个人</label>'
        '<label><input type="radio" name="kind" value="company"> 单位（企业）</label>'
        '<label for="fp-title">发票抬头（姓名或单位名称）</label>'
        '<input type="text" id="fp-title" name="title" maxlength="100" required>'
        '<div id="fp-taxrow"><label for="fp-tax">纳税人识别号（统一社会信用代码，18 位）</label>'
        '<input type="text" id="fp-tax" name="tax_id" maxlength="18" autocapitalize="characters">'
        "</div>"
        '<label for="fp-email">接收邮箱</label>'
        '<input type="email" id="fp-email" name="email" maxlength="254">'
        '<label for="fp-phone">或接收手机号</label>'
        '<input type="tel" id="fp-phone" name="phone" maxlength="11">'
        '<button type="submit">申请开具电子发票</button><div id="fp-err" class="err" '
        'role="alert"></div></form>'
    )


def _state(s: dict[str, Any]) -> str:
    e = html.escape
    parts = [f'<p class="st" id="fp-state" data-state="{e(s["state"])}">{e(s["state_zh"])}</p>']
    parts.append(
        f'<p class="muted">抬头：{e(s["title"])}'
        + (f" · 税号 {e(s['tax_id'])}" if s.get("tax_id") else "")
        + f"<br>金额：{yuan(int(s['total_fen']))}"
        + (f" · 发送至 {e(s['email'])}" if s.get("email") else "")
        + (f" · 发送至 {e(s['phone'])}" if s.get("phone") else "")
        + "</p>"
    )
    if s["state"] == "issued":
        parts.append(
            f"<p>发票号码 {e(s['number'] or '')}</p>"
            f'<a class="btn" id="fp-pdf" href="{e(s["pdf_url"] or "")}">查看 / 下载发票 PDF</a>'
        )
    elif s["state"] == "failed":
        parts.append(
            f'<p class="err" id="fp-reason">开具失败：{e(s["reason"] or "原因未知")}</p>'
            '<p class="muted">请核对信息后重新申请。</p>'
        )
    else:
        parts.append('<p class="muted">开票平台正在处理，请稍后刷新本页。</p>')
    for r in s.get("reversals", []):
        parts.append(
            f'<p class="muted fp-red">退货红冲 {yuan(int(r["total_fen"]))}：{e(r["state_zh"])}'
            + (f" · 红字发票 {e(r['number'])}" if r.get("number") else "")
            + (f' · <a href="{e(r["pdf_url"])}">PDF</a>' if r.get("pdf_url") else "")
            + (f" · {e(r['reason'])}" if r.get("reason") else "")
            + "</p>"
        )
    return "".join(parts)


def fapiao_section(token: str, synced: bool, state: dict[str, Any] | None) -> str:
    """The section's HTML for a genuine receipt of a brand that issues invoices online."""
    head = '<div class="card fp" id="fapiao">' + STYLE + "<h1>电子发票</h1>"
    if not synced:
        return head + '<p class="muted">小票明细同步后即可在此申请电子发票，请稍后刷新。</p></div>'
    if state is None:
        return head + _form(token) + "</div>" + SCRIPT
    if state["state"] == "failed":
        return head + _state(state) + _form(token) + "</div>" + SCRIPT
    return head + _state(state) + "</div>"
