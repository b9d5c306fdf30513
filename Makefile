# The two commands a new user needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install compiled demo test lint bench samples docs clean mutation resaves

install: $(STAMP)

# The package's bytecode, written even where PYTHONDONTWRITEBYTECODE is set (an editable install
# compiles nothing): without it every `klynge` run compiles every module again, about 130 ms of
# a one-file check, and every test that starts klynge pays it. Only changed modules are redone.
compiled: install
	@$(BIN)/python -m compileall -q klyngecli tests benchmarks

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The samples include applications with errors on purpose, so exit code 1 is the expected outcome.
demo: compiled
	@$(BIN)/klynge check sample_budgets/; rc=$$?; \
	if [ $$rc -gt 1 ]; then exit $$rc; fi; \
	echo; echo "(exit code $$rc: some samples contain mistakes on purpose; see sample_budgets/README.md)"

lint: install
	$(BIN)/ruff check klyngecli tests benchmarks scripts
	$(BIN)/ruff format --check klyngecli tests benchmarks scripts
	$(BIN)/mypy

# pytest's exit code 5 (no tests collected) is a failure here too: a green run must mean tests ran.
# The tests run on every core (pytest-xdist), a module's tests on one worker (`loadfile`), so
# that a module's costly fixture (the batch tests' inbox, the browser) is made once. One worker
# more than there are CPUs: the batch and watch tests wait for the product's time limits and
# quiet periods (about 20 s), and a core would stand idle meanwhile. The longest modules start
# first (tests/conftest.py LONGEST_FIRST; --no-loadscope-reorder keeps that order).
# PYTEST_ARGS adds options, e.g. PYTEST_ARGS="-n 0 -x" for one process that stops at a failure.
# PYTHONDONTWRITEBYTECODE is cleared for the run so that pytest keeps its rewritten test modules
# in __pycache__ (git ignores it), as it does by default: each worker otherwise rewrites the
# asserts of every module on every run, 4-5 s of CPU.
PYTEST_ARGS ?=
TEST_WORKERS ?= $(shell $(PYTHON) -c "import os; print(len(os.sched_getaffinity(0)) + 1)" 2>/dev/null || echo auto)
test: lint compiled
	@PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; fi; exit $$rc

# The full benchmark (about 10-15 minutes); the bench extra brings frictionless and py-spy.
bench: compiled
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python benchmarks/run.py

# Mutation testing (docs/mutation.md): about an hour, one test process at a time; not part of
# `make test`. `make mutation GROUPS=parsers` runs some of pyproject.toml's groups only.
mutation: install
	$(BIN)/python -m pip install --quiet -e '.[dev,mutation]'
	$(BIN)/python scripts/mutation.py $(GROUPS)

# Record the LibreOffice re-saves the tests read (tests/libreoffice.py) anew; needs LibreOffice.
resaves: install
	rm -rf tests/data/libreoffice
	KLYNGE_RECORD_LIBREOFFICE=1 $(BIN)/python -m pytest -q -p no:cacheprovider -n auto --dist loadfile

samples: install
	$(BIN)/python scripts/make_samples.py

docs: install
	$(BIN)/python scripts/make_docs.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
