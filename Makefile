# One-command dev loop. Everything installs into .venv under the project.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test test-fast bench docs clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,web,identity,eval,pdf]'
	touch $(STAMP)

setup: $(STAMP)
	bash scripts/system-deps.sh

## lien's main job on its embedded default: a sample community imported into ./lien.duckdb
demo: $(STAMP)
	$(BIN)/lien demo

## the whole test suite (sets everything up first)
test: setup
	$(BIN)/python -m pytest -q -p no:cacheprovider

## every benchmark in bench/ (make bench BENCH_ARGS=--quick for a short try)
bench: $(STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

## regenerate docs/reference/ (cli.md, schema.md, configuration.md) from the code
docs: $(STAMP)
	$(BIN)/python scripts/gen_cli_reference.py

clean:
	rm -rf $(VENV) build *.egg-info
