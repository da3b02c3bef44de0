# The two commands a new user needs: `make run` (the main job) and `make test` (every test).
# Each installs what it needs: uv (into .tools/), the locked virtualenv (.venv/ from uv.lock).
SHELL := /bin/bash
PYTHON ?= python3.11
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
export DBT_PROFILES_DIR := $(CURDIR)
export DO_NOT_TRACK := 1

# dbt-duckdb creates the warehouse file when dbt connects (sqlfluff's dbt templater does, so does dbt docs generate)
# but not its folder, which a fresh clone does not have yet.
WAREHOUSE_FOLDER = mkdir -p "$$(dirname "$${REVOPS_DUCKDB_PATH:-warehouse/revops.duckdb}")"

.PHONY: help install browser java postgres run test lint sample score-identity ui publish dashboard bench postgres-parity spark-parity docs clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==0.13.8

# The `spark` extra (dbt-spark, pyspark) is installed too: `make test` runs the Spark parity test.
$(BIN)/.installed: $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON) --extra spark
	@touch $@

install: $(BIN)/.installed  ## create .venv from the lock file

# The dashboard test drives headless Chromium (Debian's package; test tools cannot download browsers here).
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || \
	  echo "chromium not installed: the dashboard test will be skipped"; }

# The Spark parity test runs pyspark, which needs a Java 17 runtime (Debian's package when it is missing).
java:
	@command -v java >/dev/null 2>&1 || [ -n "$$JAVA_HOME" ] || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null) || \
	  echo "no Java found: the Spark parity test will fail (install Java 17 or set JAVA_HOME)"; }

# The PostgreSQL parity test starts its own server from PostgreSQL 15's binaries (Debian's package when missing).
postgres:
	@command -v initdb >/dev/null 2>&1 || [ -x /usr/lib/postgresql/15/bin/initdb ] || { [ "$$(id -u)" = 0 ] && \
	  command -v apt-get >/dev/null 2>&1 && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq --no-install-recommends postgresql-15 >/dev/null) || \
	  echo "PostgreSQL 15 not found: the PostgreSQL parity test will fail (install postgresql-15)"; }

run: install  ## main job: sample data if absent, load, dbt build, checks, KPI summary
	$(BIN)/revops run

test: install browser java postgres  ## every test: sqlfluff lint, dbt build on fixtures and the sample, pytest
	$(BIN)/pytest

lint: install  ## sqlfluff lint of all models
	@$(WAREHOUSE_FOLDER)
	$(BIN)/sqlfluff lint models tests/singular
	$(BIN)/sqlfluff lint --config .sqlfluff-sql-engines $$(find models -name '*_rules.sql' -o -path '*/sql_fallback/*.sql')

# --out: the generator first deletes every contract table's files in its folder, so never a REVOPS_RAW_DIR of yours
sample: install  ## (re)generate the default sample company in data/raw
	$(BIN)/revops generate --force --out data/raw

# Its own target folder: `dbt docs generate` writes run_results.json too, which `make publish` reads as the last
# build's (and refused, a docs run being no build).
docs: install  ## build the dbt docs site into target/docs and say how to open it
	@$(WAREHOUSE_FOLDER)
	$(BIN)/dbt docs generate --target-path target/docs && \
	  echo "open with: $(BIN)/dbt docs serve --target-path target/docs --host 127.0.0.1 --port 8080"

clean:  ## remove generated data, the warehouse and build artefacts (keeps .venv)
	rm -rf data warehouse target logs

bench: install  ## benchmark at scales 1, 10, 100: build time vs floor, incremental, memory, identity F1, GX (long)
	$(BIN)/python -m revops.bench --scales $(or $(SCALES),1 10 100)

postgres-parity: install postgres  ## start a local PostgreSQL 15, build there, compare every mart with DuckDB
	$(BIN)/python -m revops.postgres parity

spark-parity: install java  ## build in a local Spark session (pyspark, needs Java 17), compare every mart with DuckDB
	$(BIN)/python -m revops.spark parity

DAGSTER_HOME_DIR ?= $(CURDIR)/warehouse/dagster_home
UI_PORT ?= 3000

ui: install  ## Dagster UI on 127.0.0.1: the whole pipeline (raw files -> marts -> playbooks), runnable from there
	@# the sample company into data/raw when empty, as `revops run` does; never into a REVOPS_RAW_DIR of yours
	@if $(BIN)/python -c "import sys; from revops import settings; sys.exit(settings.raw_dir_is_set())"; \
	  then $(BIN)/revops generate; \
	  else echo "REVOPS_RAW_DIR=$$REVOPS_RAW_DIR: your exports, no sample generated there"; fi
	@mkdir -p $(DAGSTER_HOME_DIR) && cp orchestration/dagster.yaml $(DAGSTER_HOME_DIR)/dagster.yaml
	@echo "Dagster UI: open http://127.0.0.1:$(UI_PORT)  (the first start parses the dbt project; Ctrl-C stops it)"
	DAGSTER_HOME=$(DAGSTER_HOME_DIR) $(BIN)/dagster dev -h 127.0.0.1 -p $(UI_PORT)

publish: install  ## publish the built marts to the read-only copy the dashboard and BI tools read
	$(BIN)/python -m revops.publish

dashboard: install  ## serve the KPI dashboard on http://127.0.0.1:8050 from the published copy
	@$(BIN)/python -c "import sys; from revops.publish import POINTER_NAME, published_dir; \
	  sys.exit(not (published_dir() / POINTER_NAME).exists())" || $(BIN)/revops run
	$(BIN)/python -m revops.dashboard --host 127.0.0.1 --port $(or $(PORT),8050)

score-identity: install  ## identity F1 against the generator's ground truth (builds the sample if needed)
	$(BIN)/revops score-identity
