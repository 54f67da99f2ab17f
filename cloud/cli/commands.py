"""`guitai cloud …`: run and administer the reference cloud CRM.

Every command takes --db FILE (SQLite, the default: ./guitai-cloud.db or $GUITAI_CLOUD_DB) or
--database-url postgresql://… ($GUITAI_CLOUD_DATABASE_URL).  Admin commands publish changes
the tills pull.

The till's `guitai` finds this group through the `guitai.commands` entry point (pos_app never
imports the cloud).  The `cloud` group and the helpers every cloud command shares are in
`common`; the admin commands in `admin_cmds`, the member ones in `member_cmds`, the rejected
events in `rejection_cmds`, the operational figures in `stats_cmds`, schema upgrades in
`migrate_cmds` (imported below, which adds them to the group); this module keeps `serve`.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

import click

# Imported for their commands: each adds its own to the `cloud` group.
from cloud.cli import (
    admin_cmds,
    associate_cmds,
    console_cmds,
    fapiao_cmds,
    member_cmds,
    migrate_cmds,
    rejection_cmds,
    return_cmds,
    return_rules_cmds,
    segment_cmds,
    stats_cmds,
    tier_cmds,
    topup_cmds,
    trigger_cmds,
)
from cloud.cli.common import _service, cloud, db_options, need_packages
from cloud.storage.settings import DEFAULT_POOL_SIZE, DEFAULT_STATEMENT_TIMEOUT_MS

# uvicorn's own default.  Its supervisor pings each worker and kills one that does not answer
# in time: under a starved host (load 20, `nice 19`) a healthy worker was killed mid-run.
DEFAULT_WORKER_HEALTHCHECK_S = 5


@cloud.command("serve")
@db_options
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8700, show_default=True, type=int)
@click.option("--public-url", help="The URL tills and customers reach (default http://HOST:PORT).")
@click.option(
    "--ereceipt-base-url",
    help="Upper-case base for e-receipt QR codes (default PUBLIC-URL upper-cased + /R/).",
)
@click.option("--brand", default="柜台", help="Brand name on the e-receipt page.")
@click.option("--account-name", default="", help="The brand's WeChat official account (公众号).")
@click.option(
    "--account-qr",
    type=click.Path(exists=True, dir_okay=False),
    help="PNG/JPEG of the official account's QR code, embedded in the page.",
)
@click.option("--join-url", default="", help="Membership sign-up link.")
# Refused, not read: a long-running server's command line is in the process list for as long
# as it runs.  The token comes from GUITAI_WECHAT_TOKEN (cloud.app reads it).
@click.option(
    "--wechat-token",
    hidden=True,
    help="Refused: set GUITAI_WECHAT_TOKEN in the service's environment instead.",
)
@click.option(
    "--wechat-mp-url",
    default="",
    help="The official account's API (https://api.weixin.qq.com, or `guitai emulate "
    "wechat-mp`): each receipt page gets its own follow QR code.",
)
@click.option("--wechat-appid", default="", help="The official account's AppID (wx…).")
@click.option(
    "--wechat-secret",
    default="",
    metavar="env:VAR|@FILE",
    help="The official account's AppSecret as env:VAR or @FILE (a literal is refused: the "
    "command line shows in the process list).",
)
@click.option(
    "--fapiao-url",
    default="",
    help="The invoicing provider's API (数电发票; `guitai emulate fapiao` for tests): the "
    "e-receipt page offers 发票 with it, not without.",
)
@click.option(
    "--sms-url",
    default="",
    help="The SMS provider of the join page (Aliyun dysmsapi SendSms, or `guitai emulate sms`); "
    "without it the page offers joining at the till.",
)
@click.option("--sms-access-key-id", default="", help="The SMS provider's AccessKey id.")
@click.option(
    "--sms-secret",
    default="",
    metavar="env:VAR|@FILE",
    help="The SMS provider's AccessKey secret, by reference: env:VAR or @FILE (a literal is "
    "refused).",
)
@click.option("--sms-sign-name", default="", help="The SMS signature (签名; default: --brand).")
@click.option(
    "--sms-template",
    default="SMS_GUITAI_JOIN",
    show_default=True,
    help="The SMS template code whose ${code} is the verification code.",
)
@click.option(
    "--forwarded-allow-ips",
    default="127.0.0.1",
    show_default=True,
    help="Behind a TLS proxy: the proxy addresses whose X-Forwarded-Proto/For are trusted "
    "(signatures cover the https:// URL the till used).",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    envvar="GUITAI_CLOUD_WORKERS",
    help="Worker processes on the one port (PostgreSQL only; they share nothing but the "
    "database). See docs/cloud.md for how many.",
)
@click.option(
    "--pool-size",
    default=DEFAULT_POOL_SIZE,
    show_default=True,
    type=click.IntRange(1, 200),
    envvar="GUITAI_CLOUD_POOL_SIZE",
    help="PostgreSQL connections per worker at most (workers × pool size must stay under "
    "the server's max_connections).",
)
@click.option(
    "--statement-timeout-ms",
    default=DEFAULT_STATEMENT_TIMEOUT_MS,
    show_default=True,
    type=click.IntRange(0, None),
    envvar="GUITAI_CLOUD_STATEMENT_TIMEOUT_MS",
    help="PostgreSQL cancels a statement that runs longer (0: never); the till retries.",
)
@click.option(
    "--timeout-worker-healthcheck",
    default=DEFAULT_WORKER_HEALTHCHECK_S,
    show_default=True,
    type=click.IntRange(1, 3600),
    envvar="GUITAI_CLOUD_TIMEOUT_WORKER_HEALTHCHECK",
    help="With --workers above 1: seconds the supervisor waits for a worker to answer its "
    "health ping (or to start) before it kills and replaces it. Raise it on a host whose "
    "workers can be starved of CPU for longer.",
)
@click.option(
    "--tiers-at",
    default="02:30",
    show_default=True,
    envvar="GUITAI_TIERS_AT",
    help="When the nightly 631 tier recompute runs (HH:MM, Asia/Shanghai), or off; with "
    "several workers one of them runs it.",
)
def serve(
    db_file: str | None,
    database_url: str | None,
    host: str,
    port: int,
    public_url: str | None,
    ereceipt_base_url: str | None,
    brand: str,
    account_name: str,
    account_qr: str | None,
    join_url: str,
    wechat_token: str | None,
    wechat_mp_url: str,
    wechat_appid: str,
    wechat_secret: str,
    fapiao_url: str,
    sms_url: str,
    sms_access_key_id: str,
    sms_secret: str,
    sms_sign_name: str,
    sms_template: str,
    forwarded_allow_ips: str,
    workers: int,
    pool_size: int,
    statement_timeout_ms: int,
    timeout_worker_healthcheck: int,
    tiers_at: str,
) -> None:
    """Run the cloud (FastAPI on uvicorn) until Ctrl-C.

    The official account's server token (WeChat's follow events reach /wechat/push) is read
    from GUITAI_WECHAT_TOKEN, never from the command line."""
    if wechat_token is not None:
        from pos_app.domain.errors import InvalidInput

        raise InvalidInput(
            "--wechat-token is refused: a token on the command line shows in the process list "
            "while the cloud runs. Set GUITAI_WECHAT_TOKEN in the service's environment instead",
            "不接受 --wechat-token：命令行中的令牌在云端运行期间会一直出现在进程列表中。"
            "请在服务的环境变量中设置 GUITAI_WECHAT_TOKEN",
        )
    if workers > 1 and not database_url:
        from pos_app.domain.errors import InvalidInput

        raise InvalidInput(
            f"--workers {workers} needs PostgreSQL (--database-url): SQLite has one writer, "
            "so several processes would only wait on each other's lock. Run one worker on "
            "SQLite, or move the cloud to PostgreSQL",
            f"--workers {workers} 需要 PostgreSQL（--database-url）：SQLite 只能有一个写入者，"
            "多个进程只会互相等待锁。在 SQLite 上请只运行一个进程，或将云端迁移到 PostgreSQL",
        )
    if bool(wechat_mp_url) != bool(wechat_appid) or bool(wechat_appid) != bool(wechat_secret):
        from pos_app.domain.errors import InvalidInput

        raise InvalidInput(
            "--wechat-mp-url, --wechat-appid and --wechat-secret go together: give all three "
            "for per-receipt follow QR codes, or none",
            "--wechat-mp-url、--wechat-appid 和 --wechat-secret 需同时提供：三项都给出才能为每张"
            "小票生成关注二维码，否则都不要给",
        )
    from cloud.follow_qr import read_secret

    app_secret = read_secret(wechat_secret) if wechat_secret else ""
    if sms_url:
        from cloud.secret_ref import resolve

        resolve("--sms-secret", sms_secret)  # refused now, not at the first customer's code
    need_packages("fastapi", "pydantic", "starlette", "uvicorn")
    import uvicorn

    from cloud.app import create_app
    from cloud.ereceipt import CloudConfig
    from cloud.server import uvicorn_config

    qr = ""
    if account_qr:
        data = Path(account_qr).read_bytes()
        mime = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
        qr = f"data:{mime};base64,{base64.b64encode(data).decode()}"
    cfg = CloudConfig(
        brand_name=brand,
        account_name=account_name,
        account_qr_data_uri=qr,
        join_url=join_url,
        public_url=public_url or f"http://{host}:{port}",
        ereceipt_base_url=ereceipt_base_url or "",
        wechat_token=os.environ.get("GUITAI_WECHAT_TOKEN", ""),
        wechat_mp_url=wechat_mp_url,
        wechat_appid=wechat_appid,
        wechat_secret_ref=wechat_secret,
        wechat_secret=app_secret,
        fapiao_url=fapiao_url,
        sms_url=sms_url,
        sms_access_key_id=sms_access_key_id,
        sms_secret_ref=sms_secret,
        sms_sign_name=sms_sign_name,
        sms_template=sms_template,
    )
    db_kw = {"pool_size": pool_size, "statement_timeout_ms": statement_timeout_ms}
    # Opening the database upgrades its schema first, under the migration lock (workers started
    # together migrate once: cloud.storage.migrate), before any worker starts, and refuses a
    # bad URL with the usual error instead of N crashing workers.
    from cloud.tiers.nightly import parse_at

    parse_at(tiers_at)  # refused now, not at night
    svc = _service(db_file, database_url, cfg.base_url(), **db_kw)
    if workers > 1:
        from cloud.server import run_workers, serve_settings

        svc.db.close()
        click.echo(
            f"cloud on http://{host}:{port} (postgres, {workers} workers); "
            f"e-receipts {cfg.base_url()}",
            err=True,
        )
        assert database_url is not None  # refused above otherwise
        os.environ["GUITAI_TIERS_AT"] = tiers_at  # each worker schedules it (cloud.server)
        run_workers(
            serve_settings(database_url, cfg, pool_size, statement_timeout_ms),
            workers,
            host,
            port,
            log_level="info",
            forwarded_allow_ips=forwarded_allow_ips,
            timeout_worker_healthcheck=timeout_worker_healthcheck,
        )
        return
    app = create_app(svc, config=cfg)
    from cloud.jobs import start_worker_jobs

    # one scheduler: the triggers' stream and daily pass, and the nightly tier recompute
    jobs = start_worker_jobs(svc, cfg, tiers_at)
    click.echo(
        f"cloud on http://{host}:{port} ({svc.db.dialect}, schema "
        f"{svc.db.migrated.from_revision or 'none'} -> {svc.db.migrated.to_revision}); "
        f"e-receipts {cfg.base_url()}",
        err=True,
    )
    try:
        uvicorn.Server(
            uvicorn_config(
                app, host, port, log_level="info", forwarded_allow_ips=forwarded_allow_ips
            )
        ).run()
    finally:
        jobs.stop()
        svc.db.close()


__all__ = [
    "admin_cmds",
    "associate_cmds",
    "cloud",
    "console_cmds",
    "fapiao_cmds",
    "member_cmds",
    "migrate_cmds",
    "rejection_cmds",
    "return_cmds",
    "return_rules_cmds",
    "segment_cmds",
    "serve",
    "stats_cmds",
    "tier_cmds",
    "topup_cmds",
    "trigger_cmds",
]
