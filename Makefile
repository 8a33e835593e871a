# The two commands of the README: `make run` and `make test`.
PY ?= $(shell command -v python3.12 || command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test bench clean

$(STAMP): pyproject.toml
	@$(PY) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Bring up the whole product: web, worker, scheduler, Redis, mail catcher, sandbox provider.
run: install
	$(BIN)/python -m devtools.run

## Run the test suite (SQLite; PostgreSQL too when TEST_DATABASE_URL is set).
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Benchmarks: prints a Markdown table and writes docs/benchmarks.md.
bench: install
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) instance
