# Set-up and everyday commands. `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: demo test install clean

$(BIN)/marsad: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(BIN)/marsad

demo: install
	$(BIN)/marsad demo

test: install
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) data/demo.db data/demo.db-wal data/demo.db-shm
