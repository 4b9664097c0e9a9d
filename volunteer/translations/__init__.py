"""Message catalogs: Chinese is the source language; ``en/`` holds the English catalog.

The ``.po`` files are the source; the ``.mo`` files Babel reads are compiled from them into the
instance folder at start-up when missing or stale, so no generated file is committed.
"""

import os
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask

SOURCE = Path(__file__).resolve().parent


def compile_catalogs(app: Flask) -> None:
    """Compile each ``<locale>/LC_MESSAGES/messages.po`` into ``instance/translations``."""
    target_root = Path(app.instance_path) / "translations"
    for po_path in SOURCE.glob("*/LC_MESSAGES/messages.po"):
        locale = po_path.parent.parent.name
        mo_path = target_root / locale / "LC_MESSAGES" / "messages.mo"
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        partial = mo_path.with_suffix(f".{os.getpid()}.tmp")
        with partial.open("wb") as handle:
            write_mo(handle, catalog)
        os.replace(partial, mo_path)
