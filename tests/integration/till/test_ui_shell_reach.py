"""Screens reach the window only through the `Shell` protocol (issue 17, item 6): the banner,
dialogs (and the window as their parent) and the manager's approval.  Navigation goes out as
Qt signals and the session comes in the constructor, so a screen that calls
`shell.show_sale()`, `shell.session…` or a sibling (`shell.sale…`, `shell.customer…`) fails
here.  mypy checks pos_app/ui against the protocol too; this reads the source, so it also
catches a reach typed Any."""

from __future__ import annotations

import ast

import paths

from pos_app.ui.shell import Shell

UI = paths.ROOT / "pos_app" / "ui"
WINDOW_SIDE = {"main_window.py", "app.py", "shell.py"}  # the window itself, and the protocol
NAMES = {"shell", "win"}  # what screens called the window, then and now


def _shell_members() -> set[str]:
    return {n for n in vars(Shell) if not n.startswith("_")}


def _reaches(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, attribute) for every `shell.x`, `self.shell.x`, `self.screen.shell.x`, and the
    same through `win`."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        owner = node.value
        name = (
            owner.id
            if isinstance(owner, ast.Name)
            else owner.attr
            if isinstance(owner, ast.Attribute)
            else None
        )
        if name in NAMES:
            found.append((node.lineno, f"{name}.{node.attr}"))
    return sorted(found)


def test_the_shell_protocol_is_the_banner_dialogs_and_approval() -> None:
    assert _shell_members() == {"flash", "open_dialog", "ask_approval", "window"}


def test_the_reach_finder_sees_a_screen_driving_the_window() -> None:
    tree = ast.parse("self.win.session.scan(c)\nself.shell.show_sale()\nself.shell.flash('x')\n")
    assert _reaches(tree) == [(1, "win.session"), (2, "shell.show_sale"), (3, "shell.flash")]


def test_screens_use_only_the_shell_protocol() -> None:
    allowed = {f"shell.{m}" for m in _shell_members()}
    files = [p for p in UI.rglob("*.py") if p.name not in WINDOW_SIDE or p.parent != UI]
    assert len(files) > 20  # the screens are there
    wrong = [
        f"{p.relative_to(UI)}:{line}: {reach}"
        for p in sorted(files)
        for line, reach in _reaches(ast.parse(p.read_text(encoding="utf-8")))
        if reach not in allowed
    ]
    assert wrong == [], "screens reaching past the Shell protocol:\n" + "\n".join(wrong)
