"""What a customer sends from the e-receipt page to ask for a 发票, checked before anything
is stored: a wrong field is refused with a sentence in Chinese and English, never saved."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .tax_id import normalize_tax_id, tax_id_problem

KINDS = ("personal", "company")
TITLE_MAX = 100
EMAIL_MAX = 254
# Mainland mobile numbers, the ones a 数电发票 is sent to by SMS.
PHONE = re.compile(r"1[3-9][0-9]{9}")
# Deliberately plain: a mailbox and a domain with a dot, nothing a page or a mail header could
# take for markup or a second address.
EMAIL = re.compile(r"[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]{1,63}(\.[A-Za-z0-9\-]{1,63})+")
# A 发票抬头 is a person's or a registered company's name: letters, digits, CJK, spaces and
# the punctuation company names use; angle brackets and control characters never are.
_NOT_IN_TITLE = re.compile(r"[<>\x00-\x1f\x7f]")


class FapiaoRefused(Exception):
    """An answer other than 2xx to the page, in both languages."""

    def __init__(self, status: int, code: str, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.message_zh = status, code, message, message_zh

    def body(self) -> dict[str, Any]:
        return {
            "error": {"code": self.code, "message": self.message, "message_zh": self.message_zh}
        }


def _bad(code: str, en: str, zh: str) -> FapiaoRefused:
    return FapiaoRefused(400, code, en, zh)


@dataclass(frozen=True)
class Application:
    kind: str
    title: str
    tax_id: str
    email: str
    phone: str


def read_application(body: Any) -> Application:
    """The page's JSON body as an Application, else FapiaoRefused 400."""
    if not isinstance(body, dict):
        raise _bad(
            "bad_request",
            'Send {"kind", "title", "tax_id", "email" or "phone"} as a JSON object',
            "请以 JSON 对象发送 kind、title、tax_id 以及 email 或 phone",
        )
    kind = body.get("kind")
    if kind not in KINDS:
        raise _bad(
            "bad_kind",
            'kind is "personal" (an individual) or "company" (a company with a tax id)',
            "发票类型 kind 应为 personal（个人）或 company（单位）",
        )
    title = body.get("title")
    title = title.strip() if isinstance(title, str) else ""
    if not title or len(title) > TITLE_MAX or _NOT_IN_TITLE.search(title):
        raise _bad(
            "bad_title",
            f"Write the invoice title (the buyer's name, 1 to {TITLE_MAX} characters, without "
            "< or >) and send again",
            f"请填写发票抬头（购买方名称，1 至 {TITLE_MAX} 个字符，不含 < 或 >）后重新提交",
        )
    raw_tax = body.get("tax_id")
    tax_id = normalize_tax_id(raw_tax) if isinstance(raw_tax, str) else ""
    if raw_tax is not None and not isinstance(raw_tax, str):
        tax_id = "?"
    if kind == "company" or tax_id:
        problem = (
            "a company invoice needs the 18-character 统一社会信用代码"
            if not tax_id
            else tax_id_problem(tax_id)
        )
        if problem:
            raise _bad(
                "bad_tax_id",
                f"The tax id is not valid ({problem}): copy it from the business licence "
                "and send again",
                "纳税人识别号（统一社会信用代码）无效：应为 18 位，末位校验码须正确。"
                "请对照营业执照重新填写",
            )
    email = body.get("email")
    email = email.strip() if isinstance(email, str) else ""
    phone = body.get("phone")
    phone = phone.strip() if isinstance(phone, str) else ""
    if email and (len(email) > EMAIL_MAX or not EMAIL.fullmatch(email)):
        raise _bad(
            "bad_email",
            "The email address is not valid: check it and send again",
            "邮箱地址无效，请检查后重新提交",
        )
    if phone and not PHONE.fullmatch(phone):
        raise _bad(
            "bad_phone",
            "The mobile number is not valid (11 digits starting with 1): check it and send again",
            "手机号无效（以 1 开头的 11 位数字），请检查后重新提交",
        )
    if not email and not phone:
        raise _bad(
            "bad_contact",
            "Give an email address or a mobile number to receive the invoice",
            "请填写接收发票的邮箱或手机号",
        )
    return Application(kind, title, tax_id, email, phone)
