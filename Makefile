# servicehall: `make demo` sets up and serves the demo city; `make test` runs every test.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: install demo test lint format messages docs clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

install: $(BIN)/.installed

demo: install
	$(BIN)/servicehall demo --port $(PORT)

test: install
	./scripts/test.sh

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports  # the layers of decision 0019

format: install
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

# Needs GNU gettext (apt-get install gettext); the compiled .mo files are committed.
messages: install
	cd src/servicehall && ../../$(BIN)/servicehall makemessages -l zh_Hans -l en --no-obsolete
	cd src/servicehall && ../../$(BIN)/servicehall compilemessages

docs: install
	$(BIN)/servicehall permissions_doc

clean:
	rm -rf $(VENV) var .pytest_cache
