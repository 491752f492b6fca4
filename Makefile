# The two commands of the README, and the few helpers behind them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
BENCH_VENV := .venv-bench
GRAFANA_VENV := .venv-grafana

.PHONY: demo test check lint bench lock clean grafana-client

# 1. From a fresh clone: venv, install, local Kafka + Elasticsearch, the demo.
demo: $(INSTALLED)
	$(BIN)/passaparola stack up
	$(BIN)/passaparola demo

# 2. The whole test suite (starts the local stack if it is not up, stops it if it started it).
# The benchmark tests run the quix-streams peer from its venv, so the suite makes it too.
test: $(INSTALLED) $(BENCH_VENV)/.installed
	$(BIN)/pytest

# The tests that need no Kafka or Elasticsearch, without the slow sweeps: a few minutes. It
# never starts the stack: a test that asks for it fails, telling to mark it integration.
check: $(INSTALLED)
	PASSAPAROLA_TEST_NO_SERVICES=1 $(BIN)/pytest -m "not integration and not slow"

# The linter, with the rules in pyproject.toml ([tool.ruff]); the suite runs it too.
lint: $(INSTALLED)
	$(BIN)/ruff check .

# Benchmarks: the pipeline under load, the machine's limits and the quix-streams peer (which
# runs from a venv of its own: it needs older pydantic pins than the product).
bench: $(INSTALLED) $(BENCH_VENV)/.installed
	$(BIN)/passaparola stack up
	$(BIN)/passaparola bench e2e --peer-python $(BENCH_VENV)/bin/python

$(BENCH_VENV)/.installed: pyproject.toml constraints-bench.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/pip install --quiet -c constraints-bench.txt -e '.[bench]'
	touch $@

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the dependencies change. grafana-client gets a venv of its own, which
# `dashboards provision` runs: its urllib3 fork would replace the real urllib3 of this one.
$(INSTALLED): pyproject.toml constraints.txt $(GRAFANA_VENV)/.installed | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

grafana-client: $(GRAFANA_VENV)/.installed

$(GRAFANA_VENV)/.installed: constraints-grafana.txt
	$(PYTHON) -m venv $(GRAFANA_VENV)
	$(GRAFANA_VENV)/bin/pip install --quiet -c constraints-grafana.txt 'grafana-client>=5.0,<6'
	touch $@

# Re-pin constraints.txt after changing dependencies in pyproject.toml.
lock: | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip freeze --exclude-editable | grep -v '^passaparola' > constraints.txt
	$(GRAFANA_VENV)/bin/pip install --quiet --upgrade 'grafana-client>=5.0,<6'
	{ head -2 constraints-grafana.txt; $(GRAFANA_VENV)/bin/pip freeze; } > constraints-grafana.tmp && mv constraints-grafana.tmp constraints-grafana.txt

clean:
	rm -rf $(VENV) $(BENCH_VENV) $(GRAFANA_VENV) .pytest_cache build *.egg-info
