# The two commands of the README: `make run` and `make test`.
# The first interpreter that really runs and is 3.11+ (pyenv shims may exist for versions that do not).
PY ?= $(shell for p in python3 python3.13 python3.12 python3.11; do $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test bench settings clean

$(STAMP): pyproject.toml
	@test -n "$(PY)" || { echo "Python 3.11+ is required (python3 not found or older)"; exit 1; }
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

## The README's settings tables, from config.py's declaration.
settings: install
	$(BIN)/flask --app wsgi settings --write-readme

clean:
	rm -rf $(VENV) instance
