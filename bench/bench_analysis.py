"""Benchmark: the portfolio analysis of a study versus a bare SQL GROUP BY over the same answers, in one run.

A study of A accounts x 10 respondents (6 client contacts, 4 supplier staff) x 40 scored answers per
response is written straight into the tables (Core inserts; realistic item keys of fit-client and
fit-supplier, so signals and the NPS item are real, topped up with extra scored items to 40). Then, per size:

- analysis: `surveyapp.analysis.service.study_analysis` — every input of the analysis by SQL aggregation
  (rule 2's window function, weighted respondent means, account n/sum/sum of squares, the listwise sums for
  Cronbach's alpha, signals, NPS, counts, figures) and the pure rules on top (the whole `StudyAnalysis`);
- bare: one hand-written `SELECT account, perspective, dimension, COUNT, SUM, SUM(x*x) ... GROUP BY` over the
  same answer table, joined to the responses: the least any analysis has to do.

Both are run alternately; reported are medians, the ratio analysis/bare (target <= 3) and the growth of the
analysis time per answer from the smallest size (target: no faster than linear); the lines also go to
`bench/results/bench_analysis.txt`. Not a test; not run in CI.

    .venv/bin/python bench/bench_analysis.py --quick                       # 100k and 400k answers
    .venv/bin/python bench/bench_analysis.py                               # 100k, 400k, 1M, 4M answers
    .venv/bin/python bench/bench_analysis.py --database postgresql --postgres-url URL
    .venv/bin/python bench/bench_analysis.py --database postgresql --sizes 4M --summaries-after-load

The PostgreSQL database (default `surveyapp_bench_analysis` on 127.0.0.1:5432) is created when missing and its
tables are dropped and recreated for every size: never point `--postgres-url` at a database you need.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, func, select, text

from surveyapp.analysis.service import study_analysis
from surveyapp.app import create_app
from surveyapp.enums import Language, Perspective, Phase, ResponseMode, Side
from surveyapp.extensions import db
from surveyapp.questionnaires.runtime import catalogue
from surveyapp.responses import item_sums, unit_sums
from surveyapp.responses.models import Answer, Response
from surveyapp.responses.storage import stored_answer
from surveyapp.studies.imports.common import insert_rows
from surveyapp.studies.models import Account, Contact, Study, StudyAccount, StudyQuestionnaire
from surveyapp.studies.services import create_study, create_supplier, default_questionnaires

RESPONDENTS = (6, 4)  # client contacts, supplier staff per account
ANSWERS = 40
SIZES = {"100k": 250, "400k": 1_000, "1M": 2_500, "4M": 10_000}  # answers -> accounts (x 10 x 40)
QUICK = ("100k", "400k")
STAFF = 400
BATCH = 20_000
BARE = text(
    "SELECT r.account_id, r.perspective, a.dimension, COUNT(*), SUM(a.score), SUM(a.score * a.score) "
    "FROM answers a JOIN responses r ON r.id = a.response_id "
    "WHERE r.study_id = :study AND a.score IS NOT NULL AND a.dimension IS NOT NULL "
    "GROUP BY r.account_id, r.perspective, a.dimension"
)


def _items(slug: str) -> list[Any]:
    """40 scored items: the questionnaire's own, then extra scale items in its dimensions (keys x_NN)."""
    questionnaire = catalogue().get(slug)
    items = list(questionnaire.scored_items)
    template = next(item for item in items if item.type.value == "scale" and not item.reverse)
    dimensions = sorted({item.dimension for item in items})
    number = 0
    while len(items) < ANSWERS:
        extra = type(template)(
            key=f"x_{number:02d}",
            question=template.question,
            row=None,
            dimension=dimensions[number % len(dimensions)],
            weight=1.0 + (number % 2),
            reverse=bool(number % 3 == 0),
            tags=frozenset(),
        )
        items.append(extra)
        number += 1
    return items[:ANSWERS]


def populate(accounts: int, seed: int = 8) -> Study:
    """One study with `accounts` accounts and 10 x 40 scored answers per account; commits."""
    session = db.session
    supplier = create_supplier(session=session, name=f"Bench supplier {accounts}")
    study = create_study(
        session=session,
        supplier=supplier,
        slug=f"bench-{accounts}",
        name=f"Bench {accounts}",
        questionnaires=default_questionnaires(catalogue()),
    )
    study.phase = Phase.INTERVIEW
    session.flush()
    versions = {
        row.slug: row.version_id
        for row in session.scalars(select(StudyQuestionnaire).where(StudyQuestionnaire.study_id == study.id))
    }
    table = Account.__table__
    ids = [
        row[1]
        for row in sorted(
            insert_rows(
                session,
                table,
                [  # type: ignore[arg-type]
                    {
                        "supplier_id": supplier.id,
                        "name": f"Account {i:05d}",
                        "segment": "",
                        "external_id": None,
                        "created_at": datetime.now(UTC),
                    }
                    for i in range(accounts)
                ],
                returning=("name", "id"),
            )
        )
    ]
    rng = random.Random(seed)  # noqa: S311 (benchmark data, not security)
    insert_rows(
        session,
        StudyAccount.__table__,
        [  # type: ignore[arg-type]
            {
                "study_id": study.id,
                "account_id": account_id,
                "annual_revenue": Decimal(100_000),
                "effort_hours": Decimal(rng.randint(500, 3000)),
                "billable_hours": Decimal(400),
            }
            for account_id in ids
        ],
    )
    now = datetime.now(UTC)
    clients = insert_rows(
        session,
        Contact.__table__,
        [  # type: ignore[arg-type]
            {
                "supplier_id": supplier.id,
                "account_id": account_id,
                "side": Side.CLIENT,
                "email": f"c{i}-{account_id}@x.example",
                "name": "",
                "role": "",
                "language": Language.NL,
                "created_at": now,
            }
            for account_id in ids
            for i in range(RESPONDENTS[0])
        ],
        returning=("email", "id", "account_id"),
    )
    staff = [
        row[1]
        for row in insert_rows(
            session,
            Contact.__table__,
            [  # type: ignore[arg-type]
                {
                    "supplier_id": supplier.id,
                    "account_id": None,
                    "side": Side.SUPPLIER,
                    "email": f"s{i}@x.example",
                    "name": "",
                    "role": "",
                    "language": Language.NL,
                    "created_at": now,
                }
                for i in range(STAFF)
            ],
            returning=("email", "id"),
        )
    ]
    respondents = [
        (contact_id, account_id, Perspective.CLIENT, "fit-client") for _e, contact_id, account_id in clients
    ]
    for index, account_id in enumerate(ids):
        for rater in range(RESPONDENTS[1]):
            respondents.append(
                (staff[(index * 7 + rater) % STAFF], account_id, Perspective.SUPPLIER, "fit-supplier")
            )
    items = {slug: _items(slug) for slug in ("fit-client", "fit-supplier")}
    for start in range(0, len(respondents), BATCH // ANSWERS):
        chunk = respondents[start : start + BATCH // ANSWERS]
        submitted = now - timedelta(days=1)
        response_ids = insert_rows(
            session,
            Response.__table__,
            [  # type: ignore[arg-type]
                {
                    "study_id": study.id,
                    "contact_id": contact_id,
                    "account_id": account_id,
                    "perspective": perspective,
                    "mode": ResponseMode.SURVEY,
                    "questionnaire_version_id": versions[slug],
                    "status": "completed",
                    "superseded": False,
                    "knocked_out": False,
                    "started_at": submitted,
                    "submitted_at": submitted,
                    "updated_at": submitted,
                }
                for contact_id, account_id, perspective, slug in chunk
            ],
            returning=("id",),
        )
        rows = []
        for (response_id,), (_c, _a, _p, slug) in zip(response_ids, chunk, strict=True):
            level = rng.randint(1, 5)
            for item in items[slug]:
                low, high = (0, 10) if item.type.value == "nps" else (1, 5)
                raw = str(
                    min(high, max(low, level + rng.randint(-1, 1) if high == 5 else rng.randint(0, 10)))
                )
                answer = stored_answer(item, raw)
                rows.append(
                    {
                        "response_id": response_id,
                        "item_key": item.key,
                        "version": 1,
                        "created_at": now,
                        "updated_at": now,
                        **answer.columns(),
                        "dimension": item.dimension,
                        "weight": item.weight,
                    }
                )
        insert_rows(session, Answer.__table__, rows)  # type: ignore[arg-type]
        session.flush()
    session.commit()
    return study


def timed(function: Any) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def measure(study: Study, repeat: int) -> tuple[list[float], list[float]]:
    analysis_times, bare_times = [], []
    scoring = catalogue().scoring
    for number in range(repeat):
        runs = ("analysis", "bare") if number % 2 == 0 else ("bare", "analysis")
        for run in runs:
            db.session.expire_all()
            if run == "analysis":
                analysis_times.append(
                    timed(lambda: study_analysis(session=db.session, study=study, current=scoring))
                )
            else:
                bare_times.append(timed(lambda: db.session.execute(BARE, {"study": study.id}).all()))
            db.session.rollback()
    return analysis_times, bare_times


def answers_of(study: Study) -> int:
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(Answer)
            .join(Response, Response.id == Answer.response_id)
            .where(Response.study_id == study.id)
        )
        or 0
    )


def ensure_postgres_database(url: str) -> None:
    """Create the benchmark database on the server when it does not exist yet."""
    base, name = url.rsplit("/", 1)
    engine = create_engine(base + "/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def run(url: str, sizes: tuple[str, ...], repeat: int, summaries_after_load: bool = False) -> Iterator[str]:
    app = create_app(
        {"SECRET_KEY": "bench-" + "x" * 40, "DATABASE_URL": url, "BASE_URL": "https://surveys.example.org"}
    )
    with app.app_context():
        first: tuple[int, float] | None = None
        for size in sizes:
            started = time.perf_counter()
            db.drop_all()  # each size on its own, freshly loaded tables
            db.create_all()
            if summaries_after_load:
                with db.engine.begin() as connection:
                    unit_sums.uninstall(connection)
                    item_sums.uninstall(connection)
            study = populate(SIZES[size])
            if summaries_after_load:
                # What `surveyapp analysis check-sums --repair` does: both summaries recomputed in one statement
                # each, and the triggers back in place.
                with db.engine.begin() as connection:
                    unit_sums.install(connection, refill=True)
                    item_sums.install(connection, refill=True)
            if db.engine.dialect.name == "postgresql":
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                    connection.execute(text("VACUUM ANALYZE"))
            answers = answers_of(study)
            loaded = time.perf_counter() - started
            analysis, bare = measure(study, repeat if SIZES[size] < 5_000 else max(3, repeat // 2))
            a, b = statistics.median(analysis), statistics.median(bare)
            first = first or (answers, a)
            growth = (a / first[1]) / (answers / first[0])
            yield (
                f"{db.engine.dialect.name:<10} {answers:>9,} answers  analysis {a:7.3f} s  bare {b:7.3f} s  "
                f"ratio {a / b:5.2f}  time/answer vs first size {growth:4.2f}  "
                f"(runs {', '.join(f'{t:.3f}' for t in analysis)}; loaded in {loaded:.0f} s)"
            )
        db.drop_all()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the 100k and 400k sizes")
    parser.add_argument("--sizes", nargs="*", choices=sorted(SIZES), help="explicit sizes")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--summaries-after-load",
        action="store_true",
        help="load with the summary triggers off, then fill the summaries at once (for the largest sizes)",
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/surveyapp_bench_analysis"
        ),
    )
    args = parser.parse_args()
    sizes = tuple(args.sizes) if args.sizes else (QUICK if args.quick else tuple(SIZES))
    with tempfile.TemporaryDirectory() as folder:
        os.environ["SURVEYAPP_INSTANCE_PATH"] = folder
        urls = []
        if args.database in ("sqlite", "both"):
            urls.append(f"sqlite:///{folder}/bench.db")
        if args.database in ("postgresql", "both"):
            ensure_postgres_database(args.postgres_url)
            urls.append(args.postgres_url)
        print(
            f"{RESPONDENTS[0]} client + {RESPONDENTS[1]} supplier respondents x {ANSWERS} scored answers "
            f"per account; medians of {args.repeat} runs (3 for the largest sizes)"
        )
        lines = []
        for url in urls:
            for line in run(url, sizes, args.repeat, args.summaries_after_load):
                print(line, flush=True)
                lines.append(line)
    results = Path(__file__).resolve().parent / "results"
    results.mkdir(exist_ok=True)
    (results / "bench_analysis.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
