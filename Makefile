# surveyapp — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000

.PHONY: run test lint format i18n-extract i18n-compile clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when the package definition changes, so a second `make run` starts at once.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	SURVEYAPP_ENV=development $(BIN)/surveyapp init-db
	SURVEYAPP_ENV=development SURVEYAPP_BASE_URL=$${SURVEYAPP_BASE_URL:-http://127.0.0.1:$(PORT)} \
		SURVEYAPP_MAIL_REPLY_TO=$${SURVEYAPP_MAIL_REPLY_TO:-researcher@demo.example} $(BIN)/surveyapp demo
	@echo "serving on http://127.0.0.1:$(PORT)  (Ctrl+C to stop); \`surveyapp tick\` runs every minute beside it"
	@export SURVEYAPP_ENV=development SURVEYAPP_BASE_URL=$${SURVEYAPP_BASE_URL:-http://127.0.0.1:$(PORT)} \
		SURVEYAPP_MAIL_REPLY_TO=$${SURVEYAPP_MAIL_REPLY_TO:-researcher@demo.example}; \
		( while sleep 60; do $(BIN)/surveyapp tick >/dev/null || true; done ) & ticker=$$!; \
		trap 'kill $$ticker 2>/dev/null' EXIT INT TERM; \
		$(BIN)/surveyapp run --host 127.0.0.1 --port $(PORT) --no-reload

# The whole suite on SQLite; again on PostgreSQL when SURVEYAPP_TEST_DATABASE_URL is set; with
# SURVEYAPP_TEST_REDIS_URL set too, the tests marked `jobs` (RQ, a real worker process) run only on PostgreSQL
# with that Redis database (as deployed), not on SQLite. The tests marked `system` (tests/system/: the real
# stack, gunicorn + PostgreSQL + Redis + an RQ worker, over HTTP) need PostgreSQL: they run in the second run.
# Both runs use every core (pytest-xdist; a test file stays on one worker; TEST_WORKERS=0 runs in one process).
# axe-core (npm) for the end-to-end accessibility check; without npm those tests skip (in CI they fail).
TEST_WORKERS ?= auto
XDIST := $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile)
PYTEST := $(BIN)/pytest -q -p no:cacheprovider

node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the end-to-end tests will be skipped"; fi

test: $(VENV)/.installed-test node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	env -u SURVEYAPP_TEST_DATABASE_URL $(PYTEST) $(XDIST) -m "not system and not jobs"
	@# The RQ tests start real worker processes on one shared Redis database: one at a time, on their own;
	@# with PostgreSQL and Redis both given, only there (as deployed), below.
	@if [ -z "$$SURVEYAPP_TEST_DATABASE_URL" ] || [ -z "$$SURVEYAPP_TEST_REDIS_URL" ]; then \
		env -u SURVEYAPP_TEST_DATABASE_URL $(PYTEST) -m jobs; \
	fi
	@if [ -n "$$SURVEYAPP_TEST_DATABASE_URL" ] && [ -n "$$SURVEYAPP_TEST_REDIS_URL" ]; then \
		echo "== again on PostgreSQL: $$SURVEYAPP_TEST_DATABASE_URL"; \
		$(PYTEST) $(XDIST) -m "not e2e and not jobs and not no_database" && \
		echo "== background jobs on PostgreSQL with Redis and RQ workers: $$SURVEYAPP_TEST_REDIS_URL" && \
		$(PYTEST) -m jobs; \
	elif [ -n "$$SURVEYAPP_TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL: $$SURVEYAPP_TEST_DATABASE_URL"; \
		$(PYTEST) $(XDIST) -m "not e2e and not no_database"; \
	fi

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Translations: extract the strings, merge them into both catalogues, compile.
i18n-extract: $(VENV)/.installed-test
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o surveyapp/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i surveyapp/translations/messages.pot -d surveyapp/translations --no-fuzzy-matching --ignore-obsolete

i18n-compile: $(VENV)/.installed-test
	$(BIN)/pybabel compile -d surveyapp/translations --statistics

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis

# Benchmarks (bench/README.md): each measures the product against its bare baseline in the same run.
# `make bench`: a quick version of each (SQLite and PostgreSQL; needs wrk and a local PostgreSQL);
# `make bench-full`: the sizes quoted in bench/README.md. Results also go to bench/results/*.json.
BENCH_PG ?= postgresql+psycopg://postgres@127.0.0.1:5432
# bench_outbox.py expects its PostgreSQL database to exist; the others create theirs.
BENCH_OUTBOX_DB = $(BIN)/python -c "import sys; sys.path.insert(0, 'bench'); import bench_submit; \
	bench_submit.ensure_postgres('$(BENCH_PG)/surveyapp_bench_outbox')"
.PHONY: bench bench-full
bench: $(VENV)/.installed-test
	$(BIN)/python bench/bench_submit.py --seconds 5 --repeat 3 --postgres $(BENCH_PG)/surveyapp_bench_submit
	$(BIN)/python bench/bench_page.py --seconds 5 --repeat 3 --postgres $(BENCH_PG)/surveyapp_bench_page
	$(BIN)/python bench/bench_analysis.py --sizes 100k --repeat 3 --postgres-url $(BENCH_PG)/surveyapp_bench_analysis
	$(BIN)/python bench/bench_report.py --repeat 3 --accounts 20
	$(BIN)/python bench/bench_outbox.py --messages 300 --repeat 3
	$(BENCH_OUTBOX_DB)
	$(BIN)/python bench/bench_outbox.py --messages 300 --repeat 3 --database-url $(BENCH_PG)/surveyapp_bench_outbox

bench-full: $(VENV)/.installed-test
	$(BIN)/python bench/bench_submit.py --seconds 10 --repeat 5 --postgres $(BENCH_PG)/surveyapp_bench_submit
	$(BIN)/python bench/bench_page.py --seconds 10 --repeat 5 --postgres $(BENCH_PG)/surveyapp_bench_page
	$(BIN)/python bench/bench_analysis.py --sizes 100k 1M 4M --repeat 5 --summaries-after-load --postgres-url $(BENCH_PG)/surveyapp_bench_analysis
	$(BIN)/python bench/bench_report.py --repeat 7 --accounts 200
	$(BIN)/python bench/bench_outbox.py --messages 1000 --repeat 5
	$(BENCH_OUTBOX_DB)
	$(BIN)/python bench/bench_outbox.py --messages 1000 --repeat 5 --database-url $(BENCH_PG)/surveyapp_bench_outbox
