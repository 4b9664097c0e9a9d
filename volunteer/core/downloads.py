"""Files sent to the browser: an export written to a temporary file, streamed and deleted.

This module only streams a finished file; it never looks inside. What makes an export inert
happens where its rows are written: every .xlsx and .csv row goes through
``volunteer.core.cells`` (``append_row`` / ``csv_writer``), which neutralises formula-like text.
"""

import os
from collections.abc import Iterator

from flask import Response

from volunteer.extensions import db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 64 * 1024


def stream_file(path: str) -> Iterator[bytes]:
    """Yield a file in chunks and delete it at the end (or when the client goes away)."""
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk
    finally:
        os.unlink(path)


def download(path: str, filename: str, mimetype: str) -> Response:
    """Stream a written file as an attachment (deleted once sent), after ending the request's
    read transaction, so a slow download holds no database snapshot."""
    db.session.rollback()
    filename = filename.replace("..", "_")
    return Response(stream_file(path), mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename={filename}"})
