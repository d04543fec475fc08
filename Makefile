# Two commands on a fresh machine with only Python: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PIP    := $(BIN)/python -m pip --disable-pip-version-check

.PHONY: run test bench lint fmt install lock clean bi-check bi-lock

$(STAMP): requirements.lock pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet -r requirements.lock
	$(PIP) install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/top500 run

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python bench/run.py

# Apache Superset in its own environment (it cannot share the project's pins), exactly as bi/superset.lock
# says; `make bi-check` reads the publication through it from DuckDB and PostgreSQL (bi/check.py).
BI_VENV  := bi/.venv
BI_STAMP := $(BI_VENV)/.installed

$(BI_STAMP): bi/superset.lock
	test -d $(BI_VENV) || $(PYTHON) -m venv $(BI_VENV)
	$(BI_VENV)/bin/python -m pip --disable-pip-version-check install --quiet --no-deps -r bi/superset.lock
	touch $(BI_STAMP)

bi-check: $(STAMP) $(BI_STAMP)
	$(BIN)/python bi/check.py

# Refresh Superset's pins (needs the package index).
bi-lock:
	rm -rf .bi-lock-venv && $(PYTHON) -m venv .bi-lock-venv
	.bi-lock-venv/bin/pip install --quiet "apache-superset==6.1.0" duckdb-engine "duckdb>=1.4,<1.5" psycopg2-binary \
	  rich cachetools "flask-caching<2.4"
	{ head -n 3 bi/superset.lock; .bi-lock-venv/bin/pip freeze --all | grep -v -e '^pip=='; } > bi/superset.lock.new
	mv bi/superset.lock.new bi/superset.lock && rm -rf .bi-lock-venv

# Style rails: ruff (Python lint and format) and sqlfluff (dbt SQL, DuckDB dialect); settings in
# pyproject.toml and .sqlfluff. `make fmt` rewrites, `make lint` only checks (CI runs it).
SQL := dbt_project/models dbt_project/tests

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PYTHONWARNINGS=ignore $(BIN)/sqlfluff lint --processes 2 $(SQL)  # (quiet: its worker pool warns of a leaked semaphore)

fmt: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	PYTHONWARNINGS=ignore $(BIN)/sqlfluff fix --processes 2 $(SQL)

# Refresh the pins after changing pyproject.toml (needs the package index).
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -e ".[test,bench,lint]" setuptools wheel
	{ echo "# Pinned dependency set (pip freeze of a working install, see ../shared/docs/STACK.md)."; \
	  echo "# Regenerate: make lock"; .lock-venv/bin/pip freeze --all | grep -v -e '^-e ' -e '^pip=='; } > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) dbt_project/target warehouse/build warehouse/landing warehouse/exports warehouse/.exports warehouse/report warehouse/data_docs warehouse/*.duckdb*
