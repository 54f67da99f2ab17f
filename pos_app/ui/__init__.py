"""The PySide6 till.  Qt is imported only through pos_app/ui/qt.py."""
