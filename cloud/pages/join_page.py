"""The join page (/r/{token}/join): phone, SMS code, consent, optional name and birthday.

Mobile first, Chinese, one self-contained page (no external assets; WeChat's browser).  The
script calls the JSON routes and writes answers with textContent only, never as HTML."""

from __future__ import annotations

import html
import json

from ..ereceipt import page, yuan

JOIN_STYLE = """
label{display:block;margin:12px 0 4px;font-size:14px}
input[type=tel],input[type=text],input[type=date]{width:100%;box-sizing:border-box;
font-size:17px;padding:10px;border:1px solid #ccc;border-radius:6px}
.row{display:flex;gap:8px}.row input{flex:1}
button{font-size:16px;padding:12px;border:0;border-radius:6px;background:#07c160;color:#fff;
font-weight:bold}
button:disabled{background:#9ed8b6}
#send{white-space:nowrap;background:#fff;color:#07c160;border:1px solid #07c160}
#join{width:100%;margin-top:16px}
.consent{font-size:13px;color:#555;margin-top:12px}
#msg{margin:12px 0;padding:10px 12px;border-radius:6px;font-size:15px}#msg:empty{display:none}
#msg.bad{color:#a01818}#msg.ok{color:#17692f;font-weight:bold}
"""

SCRIPT = """
(function(){
var base=%s;
function $(id){return document.getElementById(id);}
function say(text,ok){var m=$('msg');m.textContent=text;m.className=ok?'ok':'bad';}
function post(path,body){
  return fetch(base+path,{method:'POST',credentials:'same-origin',
    headers:{'Content-Type':'application/json','Accept':'application/json'},
    body:JSON.stringify(body)}).then(function(r){
      return r.json().then(function(j){return {ok:r.ok,body:j};});});
}
function problem(j){var e=(j&&j.error)||{};return e.message_zh||e.message||'出错了，请稍后再试';}
var wait=0,timer=null;
function tick(){var b=$('send');if(wait>0){b.disabled=true;b.textContent=wait+' 秒后重发';wait--;}
  else{b.disabled=false;b.textContent='获取验证码';clearInterval(timer);timer=null;}}
$('send').addEventListener('click',function(){
  say('',true);
  post('/join/code',{phone:$('phone').value.trim()}).then(function(r){
    if(!r.ok){say(problem(r.body),false);return;}
    say('验证码已发送，5 分钟内有效',true);
    wait=r.body.resend_after_s||60;tick();timer=setInterval(tick,1000);
  }).catch(function(){say('网络异常，请稍后再试',false);});
});
$('join').addEventListener('click',function(){
  say('',true);
  var body={phone:$('phone').value.trim(),code:$('code').value.trim(),
    consent:$('consent').checked};
  if($('name').value.trim())body.name=$('name').value.trim();
  if($('birthday').value)body.birthday=$('birthday').value;
  $('join').disabled=true;
  post('/join',body).then(function(r){
    $('join').disabled=false;
    if(!r.ok){say(problem(r.body),false);return;}
    var b=r.body,t=b.new_member?'欢迎加入会员！':'欢迎回来，已登录会员。';
    if(b.points_credited>0)t+='本单积分 '+b.points_credited+' 分已到账。';
    else if(b.claim==='pending')t+='小票同步后，本单积分将自动到账。';
    else if(b.claim==='claimed_before')t+='本单积分此前已领取。';
    else if(b.claim==='refunded')t+='本单已退货，不计积分。';
    else if(b.claim==='member_sale')t+='本单已在门店计入会员积分。';
    else if(b.claim==='gift_receipt')t+='礼品小票不计积分。';
    say(t,true);$('done').style.display='block';$('form').style.display='none';
  }).catch(function(){$('join').disabled=false;say('网络异常，请稍后再试',false);});
});
})();
"""


# What the page says about this receipt's points (members/claims.py, Claims.preview).
WHY_NOT = {
    "pending": "加入会员即可领取本单积分（小票同步后自动到账）。",
    "claimed_before": "本单积分已被领取；加入会员可享后续消费积分。",
    "member_sale": "本单已在门店计入会员积分。",
    "refunded": "本单已退货，不计积分；加入会员可享后续消费积分。",
    "not_a_sale": "此小票不计积分；加入会员可享后续消费积分。",
    "not_genuine": "此小票未通过验证，不计积分；加入会员可享后续消费积分。",
    "gift_receipt": "礼品小票不计积分；加入会员可享后续消费积分。",
}


def join_page(
    brand: str, store: str, token: str, total_fen: int, points: int | None, why: str
) -> str:
    e = html.escape
    hint = (
        f"<p>加入会员即可领取本单积分 <b>{points}</b> 分。</p>"
        if points is not None
        else f"<p>{e(WHY_NOT.get(why, WHY_NOT['not_a_sale']))}</p>"
    )
    base = "/r/" + token
    # "<" escaped too: nothing in the value can close the script element
    base_js = json.dumps(base).replace("<", "\\u003c")
    body = (
        f'<div class="card"><h1>{e(brand)} · 入会领积分</h1>'
        f'<div class="muted">{e(store)} · 本单合计 {yuan(total_fen)}</div>{hint}</div>'
        '<div class="card" id="form">'
        '<label for="phone">手机号</label>'
        '<div class="row"><input id="phone" type="tel" inputmode="numeric" maxlength="11" '
        'autocomplete="tel" placeholder="11 位手机号">'
        '<button id="send" type="button">获取验证码</button></div>'
        '<label for="code">验证码</label>'
        '<input id="code" type="text" inputmode="numeric" maxlength="6" '
        'autocomplete="one-time-code" placeholder="短信中的 6 位数字">'
        '<label for="name">姓名（选填）</label>'
        '<input id="name" type="text" maxlength="20" autocomplete="name">'
        '<label for="birthday">生日（选填，享生日礼遇）</label>'
        '<input id="birthday" type="date">'
        '<label class="consent"><input id="consent" type="checkbox"> 我已阅读并同意'
        "《会员条款》与《隐私政策》：手机号仅用于会员服务与积分，可随时申请注销。</label>"
        '<button id="join" type="button">入会领积分</button></div>'
        '<div id="msg" role="status"></div>'
        '<div class="card" id="done" style="display:none">'
        f'<a class="btn" href="/me/receipts">查看我的小票</a>'
        f'<p class="muted"><a href="{e(base)}">返回电子小票</a></p></div>'
        f"<style>{JOIN_STYLE}</style>"
        f"<script>{SCRIPT % base_js}</script>"
    )
    return page(f"{brand} 入会领积分", body)
