"""One scheduler at a time: a second ``volunteer scheduler`` waits, and takes over when the
first dies.

On PostgreSQL the guard is a session-level advisory lock held on a connection of its own (not
a pooled one: the lock must live exactly as long as the process), with a key of its own
(``SCHEDULER_LOCK``, distinct from the summaries' ``TOTALS_LOCK`` class). PostgreSQL releases
it when the holder's connection ends, however the process died. On SQLite the guard is an
exclusive ``flock`` on ``scheduler.lock`` beside the database in the instance folder, which the
kernel releases when the process ends.
"""

import fcntl
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

from volunteer.extensions import db

log = logging.getLogger("volunteer.scheduler")

SCHEDULER_LOCK = 0x54545343  # "TTSC": a single-key advisory lock, apart from two-key classes


class SchedulerGuard:
    """Acquire with :meth:`wait`; hold until :meth:`release` or the process ends."""

    def __init__(self, instance_path: str):
        self.instance_path = instance_path
        self._connection = None
        self._file = None

    def try_acquire(self) -> bool:
        if db.engine.dialect.name == "postgresql":
            if self._connection is None:
                self._connection = db.engine.connect()
            got = self._connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": SCHEDULER_LOCK}).scalar()
            self._connection.commit()
            return bool(got)
        if self._file is None:
            path = Path(self.instance_path) / "scheduler.lock"
            self._file = open(path, "a+")  # noqa: SIM115 - held for the process's life
        try:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        self._file.seek(0)
        self._file.truncate()
        self._file.write(f"{os.getpid()}\n")
        self._file.flush()
        return True

    def wait(self, every: float = 15.0, sleep: Callable[[float], None] = time.sleep,
             attempts: int | None = None) -> bool:
        """Block until this process holds the guard (logging once that it waits and once that
        it took over); False only when ``attempts`` ran out."""
        tried = 0
        while not self.try_acquire():
            if tried == 0:
                log.warning("another scheduler is running; this one waits and takes over "
                            "when it stops")
            tried += 1
            if attempts is not None and tried >= attempts:
                return False
            sleep(every)
        if tried:
            log.warning("the other scheduler stopped; this one takes over")
        return True

    def release(self) -> None:
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT pg_advisory_unlock(:key)"),
                                         {"key": SCHEDULER_LOCK})
                self._connection.commit()
            finally:
                self._connection.close()
                self._connection = None
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None
