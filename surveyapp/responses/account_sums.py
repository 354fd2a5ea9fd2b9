"""The triggers that keep `account_dimension_sums` equal to the units it summarises (issue 8).

A row holds, for one (study, account, perspective, dimension, number of items answered), the count of
`response_dimension_sums` units of the group's responses and the sums of their means, squared means, totals,
squared totals and squares. As in `unit_sums`, a trigger recomputes a row from the units instead of adding
the change. Units: every insert, change or delete of a `response_dimension_sums` row refreshes the row of its
old and its new key (a row-level trigger on both databases). Responses: a delete, or a
change of study, account or perspective, recompute the old and the new group from the units of the responses
still in it.

Installed with the table by `create_all` and by its migration; `stale_account_sums(connection)` lists the rows
that differ from a recomputation; `install(connection, refill=True)` repairs them.
"""

# ruff: noqa: S608 — every statement here is assembled from this module's constants, never from input.
from __future__ import annotations

import math

from sqlalchemy import Connection, event, text

from surveyapp.extensions import db
from surveyapp.responses.unit_sums import run_for_dialect

COLUMNS = "study_id, account_id, perspective, dimension, answered, units, means, means_sq, totals, totals_sq, squares"
GROUP = "r.study_id, r.account_id, r.perspective, s.dimension, s.answered"
# The respondent's mean exactly as the analysis computes it from a unit (rule 3).
_MEAN = "(s.weighted / (s.weights + 0.0))"
AGGREGATES = (
    f"count(*), sum({_MEAN}), sum({_MEAN} * {_MEAN}), sum(s.total), sum(s.total * s.total), sum(s.squares)"
)

_SQLITE_REFRESH = f"""
    DELETE FROM account_dimension_sums
        WHERE (study_id, account_id, perspective) =
              (SELECT study_id, account_id, perspective FROM responses WHERE id = {{row}}.response_id)
          AND dimension = {{row}}.dimension AND answered = {{row}}.answered;
    INSERT INTO account_dimension_sums ({COLUMNS})
        SELECT {GROUP}, {AGGREGATES}
        FROM responses o
        JOIN responses r ON r.study_id = o.study_id AND r.account_id = o.account_id
             AND r.perspective = o.perspective
        JOIN response_dimension_sums s ON s.response_id = r.id AND s.dimension = {{row}}.dimension
             AND s.answered = {{row}}.answered
        WHERE o.id = {{row}}.response_id
        GROUP BY {GROUP};
"""

_REFRESH_GROUP = f"""
    DELETE FROM account_dimension_sums
        WHERE study_id = {{study}} AND account_id = {{account}} AND perspective = {{perspective}};
    INSERT INTO account_dimension_sums ({COLUMNS})
        SELECT {GROUP}, {AGGREGATES}
        FROM responses r JOIN response_dimension_sums s ON s.response_id = r.id
        WHERE r.study_id = {{study}} AND r.account_id = {{account}} AND r.perspective = {{perspective}}
        GROUP BY {GROUP};
"""


def _group(row: str) -> str:
    return _REFRESH_GROUP.format(
        study=f"{row}.study_id", account=f"{row}.account_id", perspective=f"{row}.perspective"
    )


_UNIT_CHANGED = (
    "OLD.response_id IS NOT NEW.response_id OR OLD.dimension IS NOT NEW.dimension "
    "OR OLD.answered IS NOT NEW.answered OR OLD.weighted IS NOT NEW.weighted OR OLD.weights IS NOT NEW.weights "
    "OR OLD.total IS NOT NEW.total OR OLD.squares IS NOT NEW.squares"
)
_RESPONSE_MOVED = (
    "OLD.study_id IS NOT NEW.study_id OR OLD.account_id IS NOT NEW.account_id "
    "OR OLD.perspective IS NOT NEW.perspective"
)
_SQLITE_NAMES = (
    "units_account_sums_insert",
    "units_account_sums_update",
    "units_account_sums_delete",
    "responses_account_sums_update",
    "responses_account_sums_delete",
)
SQLITE = (
    *(f"DROP TRIGGER IF EXISTS {name}" for name in _SQLITE_NAMES),
    "CREATE TRIGGER units_account_sums_insert AFTER INSERT ON response_dimension_sums BEGIN"
    + _SQLITE_REFRESH.format(row="NEW")
    + "END",
    f"CREATE TRIGGER units_account_sums_update AFTER UPDATE ON response_dimension_sums WHEN {_UNIT_CHANGED} BEGIN"
    + _SQLITE_REFRESH.format(row="OLD")
    + _SQLITE_REFRESH.format(row="NEW")
    + "END",
    "CREATE TRIGGER units_account_sums_delete AFTER DELETE ON response_dimension_sums BEGIN"
    + _SQLITE_REFRESH.format(row="OLD")
    + "END",
    "CREATE TRIGGER responses_account_sums_update AFTER UPDATE OF study_id, account_id, perspective ON responses "
    f"WHEN {_RESPONSE_MOVED} BEGIN" + _group("OLD") + _group("NEW") + "END",
    "CREATE TRIGGER responses_account_sums_delete AFTER DELETE ON responses WHEN OLD.account_id IS NOT NULL BEGIN"
    + _group("OLD")
    + "END",
)

# PostgreSQL: a row-level trigger on the units. The units change one row at a time anyway (the answers'
# statement-level trigger refreshes them unit by unit), and a statement-level trigger's transition tables
# cost more per firing than the one refresh they would save: a bulk load was ten times slower that way.
_PG_OLD_TRIGGERS = ("units_account_sums_insert", "units_account_sums_update", "units_account_sums_delete")
POSTGRESQL = (
    f"""
    CREATE OR REPLACE FUNCTION account_dimension_sums_refresh(key_study integer, key_account integer,
        key_perspective varchar, key_dimension varchar, key_answered integer)
    RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM account_dimension_sums
            WHERE study_id = key_study AND account_id = key_account AND perspective = key_perspective
              AND dimension = key_dimension AND answered = key_answered;
        INSERT INTO account_dimension_sums ({COLUMNS})
            SELECT {GROUP}, {AGGREGATES}
            FROM responses r JOIN response_dimension_sums s ON s.response_id = r.id
                 AND s.dimension = key_dimension AND s.answered = key_answered
            WHERE r.study_id = key_study AND r.account_id = key_account AND r.perspective = key_perspective
            GROUP BY {GROUP};
    END $$
    """,
    """
    CREATE OR REPLACE FUNCTION account_dimension_sums_regroup(group_study integer, group_account integer,
                                                              group_perspective varchar)
    RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
    """
    + _REFRESH_GROUP.format(study="group_study", account="group_account", perspective="group_perspective")
    + """
    END $$
    """,
    """
    CREATE OR REPLACE FUNCTION units_keep_account_sums() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        g record;
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            SELECT study_id, account_id, perspective INTO g FROM responses WHERE id = OLD.response_id;
            IF FOUND AND g.account_id IS NOT NULL THEN
                PERFORM account_dimension_sums_refresh(
                    g.study_id, g.account_id, g.perspective, OLD.dimension, OLD.answered);
            END IF;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            SELECT study_id, account_id, perspective INTO g FROM responses WHERE id = NEW.response_id;
            IF FOUND AND g.account_id IS NOT NULL THEN
                PERFORM account_dimension_sums_refresh(
                    g.study_id, g.account_id, g.perspective, NEW.dimension, NEW.answered);
            END IF;
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE OR REPLACE FUNCTION responses_keep_account_sums() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND (OLD.study_id, OLD.account_id, OLD.perspective)
                IS NOT DISTINCT FROM (NEW.study_id, NEW.account_id, NEW.perspective) THEN
            RETURN NULL;
        END IF;
        IF OLD.account_id IS NOT NULL THEN
            PERFORM account_dimension_sums_regroup(OLD.study_id, OLD.account_id, OLD.perspective);
        END IF;
        IF TG_OP = 'UPDATE' AND NEW.account_id IS NOT NULL THEN
            PERFORM account_dimension_sums_regroup(NEW.study_id, NEW.account_id, NEW.perspective);
        END IF;
        RETURN NULL;
    END $$
    """,
    *(f"DROP TRIGGER IF EXISTS {name} ON response_dimension_sums" for name in _PG_OLD_TRIGGERS),
    "DROP TRIGGER IF EXISTS units_account_sums ON response_dimension_sums",
    "CREATE TRIGGER units_account_sums AFTER INSERT OR UPDATE OR DELETE ON response_dimension_sums "
    "FOR EACH ROW EXECUTE FUNCTION units_keep_account_sums()",
    "DROP TRIGGER IF EXISTS responses_account_sums ON responses",
    "CREATE TRIGGER responses_account_sums "
    "AFTER UPDATE OF study_id, account_id, perspective OR DELETE ON responses "
    "FOR EACH ROW EXECUTE FUNCTION responses_keep_account_sums()",
)

FRESH = (
    f"SELECT {GROUP}, {AGGREGATES} FROM response_dimension_sums s JOIN responses r ON r.id = s.response_id "
    f"WHERE r.account_id IS NOT NULL GROUP BY {GROUP}"
)
REFILL = ("DELETE FROM account_dimension_sums", f"INSERT INTO account_dimension_sums ({COLUMNS}) {FRESH}")


def install(connection: Connection, *, refill: bool = False) -> None:
    """Create (or replace) the triggers on this connection's database; `refill` recomputes every row first."""
    run_for_dialect(connection, postgresql=POSTGRESQL, sqlite=SQLITE, first=REFILL if refill else ())


def uninstall(connection: Connection) -> None:
    """Drop the triggers (and PostgreSQL's functions); the table itself is the migration's business."""
    run_for_dialect(
        connection,
        postgresql=(
            *(f"DROP TRIGGER IF EXISTS {name} ON response_dimension_sums" for name in _PG_OLD_TRIGGERS),
            "DROP TRIGGER IF EXISTS units_account_sums ON response_dimension_sums",
            "DROP TRIGGER IF EXISTS responses_account_sums ON responses",
            "DROP FUNCTION IF EXISTS units_keep_account_sums()",
            "DROP FUNCTION IF EXISTS responses_keep_account_sums()",
            "DROP FUNCTION IF EXISTS account_dimension_sums_refresh(integer, integer, varchar, varchar, integer)",
            "DROP FUNCTION IF EXISTS account_dimension_sums_regroup(integer, integer, varchar)",
        ),
        sqlite=SQLITE[: len(_SQLITE_NAMES)],
    )


def stale_account_sums(connection: Connection) -> list[tuple[object, ...]]:
    """The rows of `account_dimension_sums` that are missing, extra or differ from a recomputation (their keys).

    Counts must be equal, sums within 1e-9 relative (the trigger adds a group's units in its index order).
    """
    fresh = {tuple(row[:5]): tuple(row[5:]) for row in connection.execute(text(FRESH))}
    stored = {
        tuple(row[:5]): tuple(row[5:])
        for row in connection.execute(text(f"SELECT {COLUMNS} FROM account_dimension_sums"))
    }
    stale = set(fresh.keys() ^ stored.keys())
    for key in fresh.keys() & stored.keys():
        (n, *sums), (stored_n, *stored_sums) = fresh[key], stored[key]
        if int(n) != int(stored_n) or not all(
            math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
            for a, b in zip(sums, stored_sums, strict=True)
        ):
            stale.add(key)
    return sorted(stale, key=repr)


@event.listens_for(db.metadata, "after_create")
def _install_after_create(target: object, connection: Connection, **kw: object) -> None:
    from sqlalchemy import inspect

    if inspect(connection).has_table("account_dimension_sums"):
        install(connection)
