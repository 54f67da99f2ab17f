"""What every command gets as ctx.obj: the data folder and, opened on first use, the database
(one writing connection for this process) and the wired services."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from pos_app.config import Paths, resolve_home
from pos_app.domain.errors import StateError

if TYPE_CHECKING:
    from pos_app.adapters.db.connection import OpenDatabase
    from pos_app.adapters.db.writer_thread import DbThread
    from pos_app.bootstrap import App


class AppContext:
    def __init__(self, home: str | Path | None, *, thread: DbThread | None = None) -> None:
        self.paths = Paths(resolve_home(home))
        self._db: OpenDatabase | None = None
        # The database thread the command runs on (cli/db_thread.py): it serves the connection.
        self._thread = thread

    def database(self, *, must_exist: bool = True) -> OpenDatabase:
        """The writing connection, migrated.  must_exist: refuse a folder without `guitai init`."""
        if self._db is None:
            if must_exist and not self.paths.database.exists():
                raise StateError(
                    f"No till is set up in {self.paths.home}: run `guitai init --store-id … "
                    "--store-name … --till-no … --admin-pin …` first (or pass --home DIR)",
                    f"{self.paths.home} 尚未初始化收银台：请先运行 guitai init（或用 --home 指定目录）",
                )
            from pos_app.adapters.db.connection import open_database

            self._db = open_database(self.paths.database, thread=self._thread)
        return self._db

    @cached_property
    def till(self) -> App:
        """The wired application (pos_app.bootstrap.App)."""
        from pos_app.bootstrap import build

        return build(self.paths, self.database())

    def close(self) -> None:
        till = self.__dict__.get("till")
        if till is not None:
            from pos_app.bootstrap import shutdown

            shutdown(till)
        if self._db is not None:
            self._db.close()
            self._db = None
