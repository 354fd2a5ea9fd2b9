"""The triggers that keep `response_dimension_sums` equal to the answers it summarises (issue 8).

Each trigger recomputes the whole (response, dimension) row from that unit's answers instead of adding or
subtracting the changed value: the sums are then exactly what a GROUP BY over the answers gives, in the same
order of addition, and can never drift by rounding after many edits. A unit holds a handful of answers,
found through the answers' (response, item) index, so a recomputation costs one small index range.
SQLite recomputes per answer row (a trigger per event); PostgreSQL per statement (three statement-level
triggers with transition tables), once for every unit the statement touched, so a bulk import of thousands of
answers in one statement recomputes each unit once, not once per answer.

Installed by `create_all` (an `after_create` hook on the metadata) and by the Alembic migration that adds the
table; both call `install(connection)`. A later migration that rebuilds `answers` (Alembic's batch mode on
SQLite copies the table and drops its triggers) must call `install(connection)` again.
`stale_units(connection)` lists the units whose stored sums differ from a recomputation, for tests and for an
operator who suspects the table; `install(connection, refill=True)` repairs them.
"""

# ruff: noqa: S608 — every statement here is assembled from this module's constants, never from input.
from __future__ import annotations

from sqlalchemy import Connection, event, text

from surveyapp.extensions import db

COLUMNS = "response_id, dimension, answered, weighted, weights, total, squares"
AGGREGATES = "count(*), sum(score * weight), sum(weight), sum(score), sum(score * score)"

# SQLite: one trigger per event; `+dimension` keeps the planner on the response's index (a range of one
# response's answers) rather than the dimension index (every answer of that dimension in the database).
_SQLITE_REFRESH = """
    DELETE FROM response_dimension_sums WHERE response_id = {row}.response_id AND dimension = {row}.dimension;
    INSERT INTO response_dimension_sums ({columns})
        SELECT response_id, dimension, {aggregates} FROM answers
        WHERE response_id = {row}.response_id AND +dimension = {row}.dimension AND score IS NOT NULL
          AND EXISTS (SELECT 1 FROM responses WHERE responses.id = {row}.response_id)
        GROUP BY response_id, dimension;
"""


def _sqlite_refresh(row: str) -> str:
    return _SQLITE_REFRESH.format(row=row, columns=COLUMNS, aggregates=AGGREGATES)


_CHANGED = (
    "OLD.score IS NOT NEW.score OR OLD.weight IS NOT NEW.weight OR OLD.dimension IS NOT NEW.dimension "
    "OR OLD.response_id IS NOT NEW.response_id"
)
SQLITE = (
    "DROP TRIGGER IF EXISTS answers_sums_insert",
    "DROP TRIGGER IF EXISTS answers_sums_update",
    "DROP TRIGGER IF EXISTS answers_sums_delete",
    "CREATE TRIGGER answers_sums_insert AFTER INSERT ON answers "
    "WHEN NEW.dimension IS NOT NULL AND NEW.score IS NOT NULL BEGIN" + _sqlite_refresh("NEW") + "END",
    "CREATE TRIGGER answers_sums_update AFTER UPDATE OF score, weight, dimension, response_id ON answers "
    f"WHEN {_CHANGED} BEGIN" + _sqlite_refresh("OLD") + _sqlite_refresh("NEW") + "END",
    "CREATE TRIGGER answers_sums_delete AFTER DELETE ON answers "
    "WHEN OLD.dimension IS NOT NULL AND OLD.score IS NOT NULL BEGIN" + _sqlite_refresh("OLD") + "END",
)

_PG_TRIGGERS = ("answers_sums_insert", "answers_sums_update", "answers_sums_delete")
POSTGRESQL = (
    f"""
    CREATE OR REPLACE FUNCTION response_dimension_sums_refresh(unit_response integer, unit_dimension varchar)
    RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM response_dimension_sums
            WHERE response_id = unit_response AND dimension = unit_dimension;
        INSERT INTO response_dimension_sums ({COLUMNS})
            SELECT response_id, dimension, {AGGREGATES} FROM answers
            WHERE response_id = unit_response AND dimension = unit_dimension AND score IS NOT NULL
              AND EXISTS (SELECT 1 FROM responses WHERE responses.id = unit_response)
            GROUP BY response_id, dimension;
    END $$
    """,
    # Statement-level, with the statement's rows as transition tables: each unit a statement touches is
    # recomputed once, however many of its answers the statement wrote (an import writes thousands per
    # statement; a row-level trigger recomputed a unit once per answer and left a dead row version each time).
    # Units in key order, so that two writers lock them in the same order.
    """
    CREATE OR REPLACE FUNCTION answers_keep_dimension_sums() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        unit record;
    BEGIN
        IF TG_OP = 'INSERT' THEN
            FOR unit IN SELECT DISTINCT response_id, dimension FROM new_answers
                        WHERE dimension IS NOT NULL AND score IS NOT NULL ORDER BY 1, 2 LOOP
                PERFORM response_dimension_sums_refresh(unit.response_id, unit.dimension);
            END LOOP;
        ELSIF TG_OP = 'DELETE' THEN
            FOR unit IN SELECT DISTINCT response_id, dimension FROM old_answers
                        WHERE dimension IS NOT NULL AND score IS NOT NULL ORDER BY 1, 2 LOOP
                PERFORM response_dimension_sums_refresh(unit.response_id, unit.dimension);
            END LOOP;
        ELSE
            FOR unit IN
                WITH changed AS (
                    SELECT o.response_id AS old_response, o.dimension AS old_dimension,
                           n.response_id AS new_response, n.dimension AS new_dimension
                    FROM old_answers o JOIN new_answers n ON n.id = o.id
                    WHERE (o.score, o.weight, o.dimension, o.response_id)
                          IS DISTINCT FROM (n.score, n.weight, n.dimension, n.response_id))
                SELECT old_response, old_dimension FROM changed WHERE old_dimension IS NOT NULL
                UNION SELECT new_response, new_dimension FROM changed WHERE new_dimension IS NOT NULL
                ORDER BY 1, 2 LOOP
                PERFORM response_dimension_sums_refresh(unit.old_response, unit.old_dimension);
            END LOOP;
        END IF;
        RETURN NULL;
    END $$
    """,
    "DROP TRIGGER IF EXISTS answers_sums ON answers",
    *(f"DROP TRIGGER IF EXISTS {name} ON answers" for name in _PG_TRIGGERS),
    "CREATE TRIGGER answers_sums_insert AFTER INSERT ON answers REFERENCING NEW TABLE AS new_answers "
    "FOR EACH STATEMENT EXECUTE FUNCTION answers_keep_dimension_sums()",
    "CREATE TRIGGER answers_sums_update AFTER UPDATE ON answers "
    "REFERENCING OLD TABLE AS old_answers NEW TABLE AS new_answers "
    "FOR EACH STATEMENT EXECUTE FUNCTION answers_keep_dimension_sums()",
    "CREATE TRIGGER answers_sums_delete AFTER DELETE ON answers REFERENCING OLD TABLE AS old_answers "
    "FOR EACH STATEMENT EXECUTE FUNCTION answers_keep_dimension_sums()",
)

REFILL = (
    "DELETE FROM response_dimension_sums",
    f"INSERT INTO response_dimension_sums ({COLUMNS}) SELECT response_id, dimension, {AGGREGATES} "
    "FROM answers WHERE score IS NOT NULL AND dimension IS NOT NULL GROUP BY response_id, dimension",
)


def install(connection: Connection, *, refill: bool = False) -> None:
    """Create (or replace) the triggers on this connection's database; `refill` recomputes every row first."""
    run_for_dialect(connection, postgresql=POSTGRESQL, sqlite=SQLITE, first=REFILL if refill else ())


def run_for_dialect(
    connection: Connection,
    *,
    postgresql: tuple[str, ...],
    sqlite: tuple[str, ...],
    first: tuple[str, ...] = (),
) -> None:
    """Run `first`, then the statements for this connection's database (PostgreSQL, else SQLite)."""
    for statement in first + (postgresql if connection.dialect.name == "postgresql" else sqlite):
        connection.execute(text(statement))


def uninstall(connection: Connection) -> None:
    """Drop the triggers (and PostgreSQL's functions); the table itself is the migration's business."""
    if connection.dialect.name == "postgresql":
        statements = (
            "DROP TRIGGER IF EXISTS answers_sums ON answers",
            *(f"DROP TRIGGER IF EXISTS {name} ON answers" for name in _PG_TRIGGERS),
            "DROP FUNCTION IF EXISTS answers_keep_dimension_sums()",
            "DROP FUNCTION IF EXISTS response_dimension_sums_refresh(integer, varchar)",
        )
    else:
        statements = SQLITE[:3]
    for statement in statements:
        connection.execute(text(statement))


def stale_units(connection: Connection) -> list[tuple[int, str]]:
    """The (response, dimension) units whose stored sums differ from a recomputation from the answers.

    Compares every column exactly: the triggers recompute in the same order as a GROUP BY, so equal answers
    give equal floats.
    """
    fresh = (
        f"SELECT response_id, dimension, {AGGREGATES} FROM answers "
        "WHERE score IS NOT NULL AND dimension IS NOT NULL GROUP BY response_id, dimension"
    )
    stored = f"SELECT {COLUMNS} FROM response_dimension_sums"
    rows = connection.execute(
        text(
            f"SELECT * FROM ({fresh} EXCEPT {stored}) AS missing "
            f"UNION SELECT * FROM ({stored} EXCEPT {fresh}) AS extra"
        )
    ).all()
    return sorted({(int(row[0]), str(row[1])) for row in rows})


@event.listens_for(db.metadata, "after_create")
def _install_after_create(target: object, connection: Connection, **kw: object) -> None:
    if "answers" in db.metadata.tables and _has_table(connection, "response_dimension_sums"):
        install(connection)


def _has_table(connection: Connection, name: str) -> bool:
    from sqlalchemy import inspect

    return inspect(connection).has_table(name)
