"""CSRF: every console form carries a token its POST must return.

Signed in: the session's own token (kept in its row, so a forged form from another site
cannot know it).  The sign-in form: a double-submit token, in a cookie and in the form,
which must agree (a site cannot set the console's cookie, so it cannot sign a browser in
to an account of its choosing).
"""

from __future__ import annotations

import hmac
import secrets

LOGIN_COOKIE = "gt_console_login"
FIELD = "csrf"


def new_token() -> str:
    return secrets.token_urlsafe(24)


def matches(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))
