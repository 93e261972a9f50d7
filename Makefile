# Two commands on a fresh machine: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install clean bench eval

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e ".[test]"
	$(BIN)/newsgraph gazetteer build
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	rm -f newsgraph.db newsgraph.db-wal newsgraph.db-shm
	$(BIN)/newsgraph ingest src/newsgraph/samples --db newsgraph.db
	$(BIN)/newsgraph search "ceasefire" --db newsgraph.db
	$(BIN)/newsgraph show "$$($(BIN)/newsgraph search Latakia --db newsgraph.db --format ids | head -n 1)" --db newsgraph.db --format table

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python bench/throughput.py

clean:
	rm -rf $(VENV) newsgraph.db newsgraph.db-wal newsgraph.db-shm
