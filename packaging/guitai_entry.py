"""Entry point of the frozen till (PyInstaller): the same `guitai` command line."""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from pos_app.cli import main

    sys.exit(main())
