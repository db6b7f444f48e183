# The two commands of the README: `make run` (build the graph and serve it) and `make test` (every test).
# Both set up what they need from nothing: a virtual environment with the pinned versions of constraints.txt.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup build serve clean

# Stamps: the service's own dependencies for `make run`; the test tools on top for `make test`.
$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -c constraints.txt -e ".[test]"
	touch $@

# The build reasons with HermiT, which runs on Java.
JAVA := command -v java >/dev/null || (apt-get update && apt-get install -y default-jre-headless)

setup: $(VENV)/.installed
	$(JAVA)

build: setup
	$(BIN)/catkg build

run: build
	$(BIN)/catkg serve --host $(HOST) --port $(PORT)

test: setup $(VENV)/.installed-test
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

clean:
	rm -rf $(VENV) data
