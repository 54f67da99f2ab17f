"""The SMS provider port (cloud/sms.py, Aliyun dysmsapi SendSms) against its emulator
(`guitai emulate sms`): signed calls accepted, a wrong signature or a replayed nonce refused,
the messages listed newest first; the secret is never taken on the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from cloud.common import ApiError
from cloud.sms import AliyunSms, rpc_sign
from drivers.sms.emulator import SmsEmulator
from drivers.sms.signing import enc, rpc_signature
from pos_app.cli import main


def client(url: str, secret: str = "s3cret") -> AliyunSms:
    return AliyunSms(url, "LTAIx", secret, "青衫", "SMS_GUITAI_JOIN")


def test_signed_sends_are_listed_newest_first_and_a_bad_signature_is_refused() -> None:
    with SmsEmulator(access_key_id="LTAIx", access_key_secret="s3cret") as emu:
        assert client(emu.url).send("13800138000", {"code": "123456"}).endswith("^0")
        client(emu.url).send("13800138000", {"code": "654321"})
        client(emu.url).send("13900139000", {"code": "111111"})
        msgs = httpx.get(f"{emu.url}/messages", params={"phone": "13800138000"}).json()
        assert [m["text"] for m in msgs] == [
            "【青衫】您的验证码为654321，5分钟内有效，请勿泄露给他人。",
            "【青衫】您的验证码为123456，5分钟内有效，请勿泄露给他人。",
        ]
        assert all({"phone", "text", "sent_at"} <= set(m) for m in msgs)
        with pytest.raises(ApiError) as err:
            client(emu.url, "wrong").send("13800138000", {"code": "000000"})
        assert err.value.status == 503 and "SignatureDoesNotMatch" in err.value.message
        assert emu.rejected_signatures == 1
        assert len(httpx.get(f"{emu.url}/messages").json()) == 3


def test_a_replayed_request_is_refused() -> None:
    with SmsEmulator(access_key_id="LTAIx", access_key_secret="s3cret") as emu:
        sent: list[dict[str, str]] = []
        real_post = httpx.post

        def spy(url: str, data: dict[str, str], **kw: object) -> httpx.Response:
            sent.append(dict(data))
            return real_post(url, data=data, **kw)  # type: ignore[arg-type]

        httpx.post = spy  # type: ignore[assignment]
        try:
            client(emu.url).send("13800138000", {"code": "123456"})
        finally:
            httpx.post = real_post
        again = httpx.post(emu.url, data=sent[0]).json()
        assert again["Code"] == "SignatureNonceUsed"
        assert len(emu.sent()) == 1


def test_guitai_emulate_sms_serves_the_provider(tmp_path: Path) -> None:
    env = {**os.environ, "SMS_SECRET": "from-env"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pos_app.cli",
            "emulate",
            "sms",
            "--port",
            "0",
            "--access-key-id",
            "LTAIx",
            "--access-key-secret",
            "env:SMS_SECRET",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        url = line.split(" on ", 1)[1].split("/ ;", 1)[0]
        client(url, "from-env").send("13800138000", {"code": "246810"})
        msgs = httpx.get(f"{url}/messages", params={"phone": "13800138000"}).json()
        assert msgs[0]["phone"] == "13800138000" and "246810" in msgs[0]["text"]
    finally:
        proc.terminate()
        proc.communicate(timeout=10)  # closes both pipes


def test_a_literal_sms_secret_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rc = main(
        [
            "cloud",
            "serve",
            "--db",
            str(tmp_path / "c.db"),
            "--sms-url",
            "http://127.0.0.1:9/",
            "--sms-secret",
            "plain-secret",
        ]
    )
    out = capsys.readouterr()
    assert rc == 2
    text = out.out + out.err
    assert "env:VAR" in text and "@FILE" in text and "只接受引用" in text
    assert "plain-secret" not in text


PARAMS = {
    "AccessKeyId": "testid",
    "Action": "SendSms",
    "Format": "XML",
    "OutId": "123",
    "PhoneNumbers": "15300000001",
    "RegionId": "cn-hangzhou",
    "SignName": "阿里云短信测试专用",
    "SignatureMethod": "HMAC-SHA1",
    "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
    "SignatureVersion": "1.0",
    "TemplateCode": "SMS_71390007",
    "TemplateParam": '{"customer":"test"}',
    "Timestamp": "2017-07-12T02:42:19Z",
    "Version": "2017-05-25",
}


def test_the_client_and_the_emulator_sign_alike() -> None:
    # the parameters of Aliyun's worked SendSms example; the two implementations agree
    for method in ("GET", "POST"):
        assert rpc_sign(method, PARAMS, "testsecret") == rpc_signature(method, PARAMS, "testsecret")


def test_rfc3986_encoding_of_the_special_characters() -> None:
    assert enc("a b*c~d/") == "a%20b%2Ac~d%2F"


def test_any_change_breaks_the_signature() -> None:
    good = rpc_signature("POST", PARAMS, "testsecret")
    assert rpc_signature("POST", {**PARAMS, "PhoneNumbers": "15300000002"}, "testsecret") != good
    assert rpc_signature("POST", PARAMS, "other") != good
    assert rpc_signature("GET", PARAMS, "testsecret") != good
