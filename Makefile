# One command each: set up, run, test, lint, benchmark. CI runs `make lint` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
# Two processes: the suite waits on subprocesses, servers and timers as much as on the CPU.
TEST_WORKERS ?= 2

.PHONY: setup run test lint format bench migrate

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

run: setup
	$(BIN)/salesauto serve

migrate: setup
	$(BIN)/salesauto migrate

test: setup
	scripts/ensure-services.sh
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python scripts/check_migrations.py

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: setup
	scripts/ensure-services.sh
	$(BIN)/python bench/queue.py
	$(BIN)/python bench/providers.py
	$(BIN)/python bench/import.py
	$(BIN)/python bench/pipeline.py
	$(BIN)/python bench/webhooks.py
