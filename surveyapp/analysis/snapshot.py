"""Reading an analysis's inputs in one snapshot, on two PostgreSQL connections at once.

The analysis issues a handful of independent aggregate statements and then spends about as long in Python on
their rows. On PostgreSQL, `SharedSnapshot` lets it read on two connections of their own: one in a thread
(`start`), one in the caller's thread (`run`), so the database works on one half of the statements while this
process adds up the rows of the other (the bare GROUP BY the analysis is measured against uses two cores as
well, through PostgreSQL's parallel workers).

Both connections import the snapshot of the caller's transaction (`pg_export_snapshot`, then `SET TRANSACTION
SNAPSHOT` in a REPEATABLE READ transaction), so every statement of the analysis sees the same committed data —
in READ COMMITTED, statements run one after the other could each see a different moment. A connection cannot
see another transaction's uncommitted writes, so when the caller's transaction has written anything (it has a
transaction id), the work runs on the caller's session instead, in order — as it always does on SQLite.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

T = TypeVar("T")

# What pg_export_snapshot() returns, e.g. 00000003-0000001B-1 (checked: SET TRANSACTION SNAPSHOT takes no
# bind parameter, so the value is written into the statement).
_SNAPSHOT_ID = re.compile(r"[0-9A-F]+-[0-9A-F]+(-[0-9]+)?")


class Pending(Generic[T]):
    """The result of work started by `SharedSnapshot.start`: `result()` waits for it (and raises its error)."""

    def __init__(self, thread: threading.Thread | None, box: dict[str, object]) -> None:
        self._thread = thread
        self._box = box

    def wait(self) -> None:
        """Wait for the work to end, whatever its outcome."""
        if self._thread is not None:
            self._thread.join()

    def result(self) -> T:
        """Wait for the work and return its result; an error it raised is raised here."""
        self.wait()
        if "error" in self._box:
            raise self._box["error"]  # type: ignore[misc]
        return self._box["result"]  # type: ignore[return-value]


class SharedSnapshot:
    """Runs read-only work in the snapshot of `session`'s transaction, on connections of its own.

    On SQLite, or when the transaction has already written, the work runs on `session` itself. The work must
    only read and must not touch objects of `session` (it gets a session of its own): pass it ids. Every
    result must be taken before the transaction ends: the exported snapshot lives only as long.
    """

    def __init__(self, session: Session) -> None:
        self._session = session
        self._engine: Engine | None = None
        self._snapshot = ""
        bind = session.get_bind()
        if bind.dialect.name != "postgresql":
            return
        if session.scalar(text("SELECT pg_current_xact_id_if_assigned()")) is not None:
            return
        snapshot = str(session.scalar(text("SELECT pg_export_snapshot()")))
        if not _SNAPSHOT_ID.fullmatch(snapshot):
            raise ValueError(f"unexpected snapshot id {snapshot!r}")
        self._engine = bind.engine if isinstance(bind, Connection) else bind
        self._snapshot = snapshot

    @property
    def shared(self) -> bool:
        """Whether the work runs on connections of its own (PostgreSQL, nothing written yet)."""
        return self._engine is not None

    def run(self, work: Callable[[Session], T]) -> T:
        """Run `work(session)` now, in this thread, on a connection in the snapshot (or on the caller's)."""
        if self._engine is None:
            return work(self._session)
        with self._engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
            connection.execute(text(f"SET TRANSACTION SNAPSHOT '{self._snapshot}'"))
            connection.execute(text("SET TRANSACTION READ ONLY"))
            with Session(bind=connection) as side:
                result = work(side)
            connection.rollback()
        return result

    def start(self, work: Callable[[Session], T]) -> Pending[T]:
        """Start `work(session)` in a thread on a connection in the snapshot; on SQLite, or after a write, it
        runs now, here, on the caller's session (an error it raises is raised by `result()` all the same)."""
        if self._engine is None:
            try:
                return Pending(None, {"result": work(self._session)})
            except Exception as error:  # raised by result(), as from the thread
                return Pending(None, {"error": error})
        box: dict[str, object] = {}

        def target() -> None:
            try:
                box["result"] = self.run(work)
            except BaseException as error:  # handed to the caller's thread by Pending.result()
                box["error"] = error

        thread = threading.Thread(target=target, name="analysis-snapshot", daemon=True)
        thread.start()
        return Pending(thread, box)
