"""The triggers that keep `account_item_sums` equal to the answers it summarises (issue 8).

A row holds n and Σscore of one item over the scored answers of every response in one (study, account,
perspective, questionnaire version) group. As in `unit_sums`, a trigger recomputes the whole row from the
answers instead of adding the changed value, so the sums never drift by rounding; a group holds a few
responses (an account's contacts or raters), found through `ix_responses_counting`, and each response's
answer to the item through the (response, item) index.

Answers: insert, delete and a change of score, dimension, item or response refresh the rows of the old and the
new item (SQLite per answer row; PostgreSQL per statement, once per touched row). Responses: a delete, or a
change of study, account, perspective or questionnaire version, recompute the old and the new group from the
answers of the responses still in it (a response deleted with its answers is gone by then, whichever of the
two the database removes first, and an answer whose response is gone refreshes nothing).

Installed with the table by `create_all` and by its migration; a migration that rebuilds `answers` or
`responses` on SQLite (batch mode copies the table and drops its triggers) must call `install` again.
`stale_item_sums(connection)` lists the rows that differ from a recomputation, for tests and operators;
`install(connection, refill=True)` repairs them.
"""

# ruff: noqa: S608 — every statement here is assembled from this module's constants, never from input.
from __future__ import annotations

import math
from typing import Any

from sqlalchemy import Connection, event, text

from surveyapp.extensions import db
from surveyapp.responses.unit_sums import run_for_dialect

COLUMNS = (
    "study_id, account_id, perspective, questionnaire_version_id, item_key, dimension, "
    "answered, total, above, below"
)
#: The middle of the 0-100 item score: an answer above it agrees with the item's statement, one below it
#: disagrees (reversed for a reverse-keyed item, whose low score means agreeing with a problem).
SCALE_MIDDLE = 50
# n, Σscore and how many answers lie above and below the middle: the last two say how many respondents agreed
# with a warning signal's statement (rule 9) without reading the answers again.
_AGGREGATES = (
    "count(*), sum(a.score), "
    f"sum(CASE WHEN a.score > {SCALE_MIDDLE} THEN 1 ELSE 0 END), "
    f"sum(CASE WHEN a.score < {SCALE_MIDDLE} THEN 1 ELSE 0 END)"
)
_COLUMNS_WITHOUT_SIDES = COLUMNS.removesuffix(", above, below")
_AGGREGATES_WITHOUT_SIDES = "count(*), sum(a.score)"
GROUP = "r.study_id, r.account_id, r.perspective, r.questionnaire_version_id"

# One item of the group of the response `{row}.response_id`, or nothing when that response is gone or has no
# account. The item is matched through the answers' (response, item) index.
_SQLITE_REFRESH_ITEM = f"""
    DELETE FROM account_item_sums
        WHERE (study_id, account_id, perspective, questionnaire_version_id) =
              (SELECT study_id, account_id, perspective, questionnaire_version_id FROM responses
               WHERE id = {{row}}.response_id)
          AND item_key = {{row}}.item_key AND dimension = coalesce({{row}}.dimension, '');
    INSERT INTO account_item_sums ({COLUMNS})
        SELECT {GROUP}, a.item_key, coalesce(a.dimension, ''), {_AGGREGATES}
        FROM responses o
        JOIN responses r ON r.study_id = o.study_id AND r.account_id = o.account_id
             AND r.perspective = o.perspective AND r.questionnaire_version_id = o.questionnaire_version_id
        JOIN answers a ON a.response_id = r.id AND a.item_key = {{row}}.item_key
        WHERE o.id = {{row}}.response_id AND a.score IS NOT NULL AND a.dimension IS {{row}}.dimension
        GROUP BY {GROUP}, a.item_key, coalesce(a.dimension, '');
"""

# A whole group, recomputed from the answers of the responses now in it.
_REFRESH_GROUP = f"""
    DELETE FROM account_item_sums
        WHERE study_id = {{study}} AND account_id = {{account}} AND perspective = {{perspective}}
          AND questionnaire_version_id = {{version}};
    INSERT INTO account_item_sums ({COLUMNS})
        SELECT {GROUP}, a.item_key, coalesce(a.dimension, ''), {_AGGREGATES}
        FROM responses r JOIN answers a ON a.response_id = r.id
        WHERE r.study_id = {{study}} AND r.account_id = {{account}} AND r.perspective = {{perspective}}
          AND r.questionnaire_version_id = {{version}} AND a.score IS NOT NULL
        GROUP BY {GROUP}, a.item_key, coalesce(a.dimension, '');
"""


def _sqlite_group(row: str) -> str:
    return _REFRESH_GROUP.format(
        study=f"{row}.study_id",
        account=f"{row}.account_id",
        perspective=f"{row}.perspective",
        version=f"{row}.questionnaire_version_id",
    )


_ANSWER_CHANGED = (
    "OLD.score IS NOT NEW.score OR OLD.dimension IS NOT NEW.dimension OR OLD.item_key IS NOT NEW.item_key "
    "OR OLD.response_id IS NOT NEW.response_id"
)
_RESPONSE_MOVED = (
    "OLD.study_id IS NOT NEW.study_id OR OLD.account_id IS NOT NEW.account_id "
    "OR OLD.perspective IS NOT NEW.perspective OR OLD.questionnaire_version_id IS NOT NEW.questionnaire_version_id"
)
_SQLITE_NAMES = (
    "answers_item_sums_insert",
    "answers_item_sums_update",
    "answers_item_sums_delete",
    "responses_item_sums_update",
    "responses_item_sums_delete",
)
SQLITE = (
    *(f"DROP TRIGGER IF EXISTS {name}" for name in _SQLITE_NAMES),
    "CREATE TRIGGER answers_item_sums_insert AFTER INSERT ON answers WHEN NEW.score IS NOT NULL BEGIN"
    + _SQLITE_REFRESH_ITEM.format(row="NEW")
    + "END",
    "CREATE TRIGGER answers_item_sums_update AFTER UPDATE OF score, dimension, item_key, response_id ON answers "
    f"WHEN {_ANSWER_CHANGED} BEGIN"
    + _SQLITE_REFRESH_ITEM.format(row="OLD")
    + _SQLITE_REFRESH_ITEM.format(row="NEW")
    + "END",
    "CREATE TRIGGER answers_item_sums_delete AFTER DELETE ON answers WHEN OLD.score IS NOT NULL BEGIN"
    + _SQLITE_REFRESH_ITEM.format(row="OLD")
    + "END",
    "CREATE TRIGGER responses_item_sums_update "
    "AFTER UPDATE OF study_id, account_id, perspective, questionnaire_version_id ON responses "
    f"WHEN {_RESPONSE_MOVED} BEGIN" + _sqlite_group("OLD") + _sqlite_group("NEW") + "END",
    "CREATE TRIGGER responses_item_sums_delete AFTER DELETE ON responses WHEN OLD.account_id IS NOT NULL BEGIN"
    + _sqlite_group("OLD")
    + "END",
)

# Two respondents of one account may write at the same time (SQLite lets one writer in at a time; PostgreSQL
# does not). The account's rows are recomputed under a transaction-level lock on the account: the second writer
# waits for the first to commit and then, each statement reading afresh, recomputes from both writers' answers
# (without it, it recomputed from what it saw before and left the first writer's answers out).
_PG_LOCK = "PERFORM pg_advisory_xact_lock(hashtext('account_item_sums'), {account});"
_PG_KEYS = "r.study_id, r.account_id, r.perspective, r.questionnaire_version_id, a.item_key, a.dimension"
_PG_TRIGGERS = ("answers_item_sums_insert", "answers_item_sums_update", "answers_item_sums_delete")
_PG_REFRESH = """
            PERFORM account_item_sums_refresh(k.study_id, k.account_id, k.perspective,
                                              k.questionnaire_version_id, k.item_key, k.dimension);"""


def _pg_refresh_rows(rows: str) -> str:
    """The loop that refreshes every (group, item) of the transition table `rows`."""
    return f"""
            FOR k IN SELECT DISTINCT {_PG_KEYS} FROM {rows} a JOIN responses r ON r.id = a.response_id
                     WHERE a.score IS NOT NULL AND r.account_id IS NOT NULL ORDER BY 1, 2, 3, 4, 5, 6 LOOP{_PG_REFRESH}
            END LOOP;"""


POSTGRESQL = (
    f"""
    CREATE OR REPLACE FUNCTION account_item_sums_refresh(key_study integer, key_account integer,
        key_perspective varchar, key_version integer, key_item varchar, key_dimension varchar)
    RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
        {_PG_LOCK.format(account="key_account")}
        DELETE FROM account_item_sums
            WHERE study_id = key_study AND account_id = key_account AND perspective = key_perspective
              AND questionnaire_version_id = key_version AND item_key = key_item
              AND dimension = coalesce(key_dimension, '');
        INSERT INTO account_item_sums ({COLUMNS})
            SELECT {GROUP}, a.item_key, coalesce(a.dimension, ''), {_AGGREGATES}
            FROM responses r JOIN answers a ON a.response_id = r.id AND a.item_key = key_item
            WHERE r.study_id = key_study AND r.account_id = key_account AND r.perspective = key_perspective
              AND r.questionnaire_version_id = key_version AND a.score IS NOT NULL
              AND a.dimension IS NOT DISTINCT FROM key_dimension
            GROUP BY {GROUP}, a.item_key, coalesce(a.dimension, '');
    END $$
    """,
    """
    CREATE OR REPLACE FUNCTION account_item_sums_regroup(group_study integer, group_account integer,
                                                         group_perspective varchar, group_version integer)
    RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
    """
    + _PG_LOCK.format(account="group_account")
    + _REFRESH_GROUP.format(
        study="group_study", account="group_account", perspective="group_perspective", version="group_version"
    )
    + """
    END $$
    """,
    # Statement-level, with the statement's rows as transition tables: each (group, item) a statement touches
    # is recomputed once, however many of the group's answers it wrote (see `unit_sums`). An answer whose
    # response is gone (deleted with it) matches no response here; the trigger on `responses` has that group.
    f"""
    CREATE OR REPLACE FUNCTION answers_keep_item_sums() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        k record;
    BEGIN
        IF TG_OP = 'INSERT' THEN
{_pg_refresh_rows("new_answers")}
        ELSIF TG_OP = 'DELETE' THEN
{_pg_refresh_rows("old_answers")}
        ELSE
            FOR k IN
                WITH changed AS (
                    SELECT o.response_id AS old_response, o.item_key AS old_item, o.dimension AS old_dimension,
                           o.score AS old_score, n.response_id AS new_response, n.item_key AS new_item,
                           n.dimension AS new_dimension, n.score AS new_score
                    FROM old_answers o JOIN new_answers n ON n.id = o.id
                    WHERE (o.score, o.dimension, o.item_key, o.response_id)
                          IS DISTINCT FROM (n.score, n.dimension, n.item_key, n.response_id)),
                touched (response_id, item_key, dimension) AS (
                    SELECT old_response, old_item, old_dimension FROM changed WHERE old_score IS NOT NULL
                    UNION SELECT new_response, new_item, new_dimension FROM changed WHERE new_score IS NOT NULL)
                SELECT DISTINCT {_PG_KEYS} FROM touched a JOIN responses r ON r.id = a.response_id
                WHERE r.account_id IS NOT NULL ORDER BY 1, 2, 3, 4, 5, 6 LOOP{_PG_REFRESH}
            END LOOP;
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE OR REPLACE FUNCTION responses_keep_item_sums() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND (OLD.study_id, OLD.account_id, OLD.perspective, OLD.questionnaire_version_id)
                IS NOT DISTINCT FROM (NEW.study_id, NEW.account_id, NEW.perspective, NEW.questionnaire_version_id)
                THEN
            RETURN NULL;
        END IF;
        IF OLD.account_id IS NOT NULL THEN
            PERFORM account_item_sums_regroup(
                OLD.study_id, OLD.account_id, OLD.perspective, OLD.questionnaire_version_id);
        END IF;
        IF TG_OP = 'UPDATE' AND NEW.account_id IS NOT NULL THEN
            PERFORM account_item_sums_regroup(
                NEW.study_id, NEW.account_id, NEW.perspective, NEW.questionnaire_version_id);
        END IF;
        RETURN NULL;
    END $$
    """,
    *(f"DROP TRIGGER IF EXISTS {name} ON answers" for name in _PG_TRIGGERS),
    "CREATE TRIGGER answers_item_sums_insert AFTER INSERT ON answers REFERENCING NEW TABLE AS new_answers "
    "FOR EACH STATEMENT EXECUTE FUNCTION answers_keep_item_sums()",
    "CREATE TRIGGER answers_item_sums_update AFTER UPDATE ON answers "
    "REFERENCING OLD TABLE AS old_answers NEW TABLE AS new_answers "
    "FOR EACH STATEMENT EXECUTE FUNCTION answers_keep_item_sums()",
    "CREATE TRIGGER answers_item_sums_delete AFTER DELETE ON answers REFERENCING OLD TABLE AS old_answers "
    "FOR EACH STATEMENT EXECUTE FUNCTION answers_keep_item_sums()",
    "DROP TRIGGER IF EXISTS responses_item_sums ON responses",
    "CREATE TRIGGER responses_item_sums "
    "AFTER UPDATE OF study_id, account_id, perspective, questionnaire_version_id OR DELETE ON responses "
    "FOR EACH ROW EXECUTE FUNCTION responses_keep_item_sums()",
)

FRESH = (
    f"SELECT {GROUP}, a.item_key, coalesce(a.dimension, ''), {_AGGREGATES} "
    "FROM answers a JOIN responses r ON r.id = a.response_id "
    "WHERE a.score IS NOT NULL AND r.account_id IS NOT NULL "
    f"GROUP BY {GROUP}, a.item_key, coalesce(a.dimension, '')"
)
REFILL = ("DELETE FROM account_item_sums", f"INSERT INTO account_item_sums ({COLUMNS}) {FRESH}")


def install(connection: Connection, *, refill: bool = False, sides: bool = True) -> None:
    """Create (or replace) the triggers on this connection's database; `refill` recomputes every row first.
    `sides=False`: the triggers of a table without `above` and `below` (a downgrade past their migration)."""

    def written(statements: tuple[str, ...]) -> tuple[str, ...]:
        if sides:
            return statements
        return tuple(
            statement.replace(COLUMNS, _COLUMNS_WITHOUT_SIDES).replace(_AGGREGATES, _AGGREGATES_WITHOUT_SIDES)
            for statement in statements
        )

    run_for_dialect(
        connection,
        postgresql=written(POSTGRESQL),
        sqlite=written(SQLITE),
        first=written(REFILL) if refill else (),
    )


def uninstall(connection: Connection) -> None:
    """Drop the triggers (and PostgreSQL's functions); the table itself is the migration's business."""
    if connection.dialect.name == "postgresql":
        statements: tuple[str, ...] = (
            *(f"DROP TRIGGER IF EXISTS {name} ON answers" for name in _PG_TRIGGERS),
            "DROP TRIGGER IF EXISTS responses_item_sums ON responses",
            "DROP FUNCTION IF EXISTS answers_keep_item_sums()",
            "DROP FUNCTION IF EXISTS responses_keep_item_sums()",
            "DROP FUNCTION IF EXISTS account_item_sums_refresh(integer, integer, varchar, integer, varchar, varchar)",
            "DROP FUNCTION IF EXISTS account_item_sums_regroup(integer, integer, varchar, integer)",
        )
    else:
        statements = SQLITE[: len(_SQLITE_NAMES)]
    for statement in statements:
        connection.execute(text(statement))


def stale_item_sums(connection: Connection) -> list[tuple[object, ...]]:
    """The rows of `account_item_sums` that are missing, extra or differ from a recomputation (their keys).

    The counts must be equal; the sum within 1e-9 relative, since the trigger adds a group's answers in the
    order of its index walk and a GROUP BY over the whole table may add them in another.
    """

    def counts(row: Any) -> tuple[int, float, int, int]:
        return int(row[6]), float(row[7]), int(row[8]), int(row[9])

    fresh = {tuple(row[:6]): counts(row) for row in connection.execute(text(FRESH))}
    stored = {
        tuple(row[:6]): counts(row)
        for row in connection.execute(text(f"SELECT {COLUMNS} FROM account_item_sums"))
    }
    stale = set(fresh.keys() ^ stored.keys())
    for key in fresh.keys() & stored.keys():
        (n, total, above, below), (stored_n, stored_total, *stored_sides) = fresh[key], stored[key]
        if (n, [above, below]) != (stored_n, stored_sides) or not math.isclose(
            total, stored_total, rel_tol=1e-9, abs_tol=1e-9
        ):
            stale.add(key)
    return sorted(stale, key=repr)


@event.listens_for(db.metadata, "after_create")
def _install_after_create(target: object, connection: Connection, **kw: object) -> None:
    from sqlalchemy import inspect

    if inspect(connection).has_table("account_item_sums"):
        install(connection)
