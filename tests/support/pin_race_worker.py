"""One process of the PIN race (test_users_auth.py): opens the till like the CLI does, says
"ready", waits for "go" on standard input, tries one wrong PIN, prints how it was answered."""

from __future__ import annotations

import sys

from pos_app.cli.context import AppContext
from pos_app.domain.errors import AccessDenied, LockedOut


def main() -> None:
    home, mode, name, pin = sys.argv[1:5]
    app = AppContext(home)
    till = app.till
    till.users  # noqa: B018 - load the pepper before the start line, not after it
    print("ready", flush=True)
    sys.stdin.readline()
    try:
        if mode == "approval":
            till.users.approval(name, pin, "discount", "race")
        else:
            till.users.authenticate(name, pin)
        print("accepted", flush=True)
    except LockedOut as err:
        # refused at the door (locked before this attempt) or the attempt that locked
        print("locked-refused" if "Too many" in err.message else "wrong-locked", flush=True)
    except AccessDenied:
        print("wrong", flush=True)
    finally:
        app.close()


if __name__ == "__main__":
    main()
