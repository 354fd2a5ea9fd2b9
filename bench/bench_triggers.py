"""What the triggers that keep `response_dimension_sums` and `account_item_sums` cost an answer write: the same
batch of answer inserts with and without them, alternately, in one run (ratios; medians over the repeats).

    .venv/bin/python bench/bench_triggers.py                       # SQLite file in a temporary folder
    .venv/bin/python bench/bench_triggers.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/surveyapp_bench_triggers

The database gets a small study (`bench_analysis.populate`, 250 accounts, 100,000 answers); each repetition
inserts `--rows` answers into existing responses (20 per response, 5 dimensions) in one executemany, measures
it, and deletes them again. "Without" drops the triggers for that insert (SQLite) or disables them
(PostgreSQL) and puts them back afterwards. The PostgreSQL database must exist; its tables are dropped and
recreated: never point it at a database you need.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import Connection, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_analysis import populate

from surveyapp.app import create_app
from surveyapp.extensions import db
from surveyapp.responses import item_sums, unit_sums

INSERT = text(
    "INSERT INTO answers (response_id, item_key, value, not_applicable, score, dimension, weight, version, "
    "created_at, updated_at) VALUES (:response, :key, '3', :na, :score, :dimension, 1.0, 1, :now, :now)"
)


def _switch(connection: Connection, *, on: bool) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"ALTER TABLE answers {'ENABLE' if on else 'DISABLE'} TRIGGER USER"))
    elif on:
        unit_sums.install(connection)
        item_sums.install(connection)
    else:
        unit_sums.uninstall(connection)
        item_sums.uninstall(connection)


def insert_once(rows: int, *, triggers: bool) -> float:
    """Seconds for one executemany of `rows` new answers, with or without the triggers."""
    from surveyapp.db import utcnow

    with db.engine.begin() as connection:
        _switch(connection, on=triggers)
        responses = [
            row[0]
            for row in connection.execute(
                text("SELECT id FROM responses ORDER BY id LIMIT :n"), {"n": rows // 20}
            )
        ]
        now = utcnow()
        batch = [
            {
                "response": response,
                "key": f"bench{i}",
                "na": False,
                "score": 12.5 * (i % 9),
                "dimension": f"bench{i % 5}",
                "now": now,
            }
            for response in responses
            for i in range(20)
        ]
        started = time.perf_counter()
        connection.execute(INSERT, batch)
        elapsed = time.perf_counter() - started
        connection.execute(text("DELETE FROM answers WHERE item_key LIKE 'bench%'"))
        connection.execute(text("DELETE FROM response_dimension_sums WHERE dimension LIKE 'bench%'"))
        connection.execute(text("DELETE FROM account_item_sums WHERE item_key LIKE 'bench%'"))
        _switch(connection, on=True)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    app = create_app(
        {"SECRET_KEY": "bench-" + "x" * 40, "DATABASE_URL": url, "BASE_URL": "https://x.example"}
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        populate(250)
        without, with_ = [], []
        for number in range(args.repeat):
            order = (False, True) if number % 2 == 0 else (True, False)
            for triggers in order:
                (with_ if triggers else without).append(insert_once(args.rows, triggers=triggers))
        ratios = sorted(w / b for w, b in zip(with_, without, strict=True))
        print(
            f"{db.engine.dialect.name:<10} {args.rows:,} answer inserts: without {statistics.median(without):.3f} s, "
            f"with triggers {statistics.median(with_):.3f} s; per-run ratio median {statistics.median(ratios):.2f} "
            f"({ratios[0]:.2f}-{ratios[-1]:.2f})"
        )
        db.session.rollback()
        db.drop_all()
        db.engine.dispose()


if __name__ == "__main__":
    main()
