# The two set-up commands of the README (run, test), the docs site and the notebooks. Everything is installed into .venv from PyPI.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run serve test test-fast lint benchmark docs notebooks clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,docs]'
	touch $(VENV)/.installed $@

$(VENV)/.notebooks-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[notebooks]'
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(BIN)/forecast run baseline

serve: $(VENV)/.installed
	$(BIN)/forecast serve

# everything: lint, the whole suite, the README's examples (the README's command; under 15 minutes on 2 cores:
# two pytest-xdist workers, each module's tests on one of them so that its fixtures are built once)
test: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n 2 --dist loadfile forecast tests README.md

# unit and property tests: what the markers of pyproject.toml leave (under 90 s on 2 cores)
FAST := not slow and not browser and not libreoffice and not cjk_font and not notebooks
test-fast: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n 2 -m "$(FAST)" forecast tests

docs: $(VENV)/.dev-installed
	$(BIN)/python -m mkdocs build --strict --site-dir site

notebooks: $(VENV)/.notebooks-installed
	$(BIN)/jupyter lab notebooks/

# speed (each figure beside its reference: min, median, ratio), memory, accuracy, batch scaling;
# the speed rows are written to benchmarks/results.csv (about 20 minutes on 2 cores)
benchmark: $(VENV)/.dev-installed
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/memory.py 1000 10000 100000
	$(BIN)/python benchmarks/accuracy.py
	$(BIN)/python benchmarks/batch.py --regions 50

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis .benchmarks site
