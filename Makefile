# Two commands do everything on a fresh machine with Python 3.11+ and make:
#   make run    create the virtual environment, install, start the bot
#   make test   the same set-up, then lint and the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test tools lint bench accuracy demo clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/farmdock run

# The multi-worker tests put nginx in front of the workers, as a deployment does.
NGINX := $(shell command -v nginx || ls /usr/sbin/nginx 2>/dev/null)
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

tools:
ifeq ($(NGINX),)
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nginx-light
endif

test: $(STAMP) tools
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2

lint: $(STAMP)
	$(BIN)/ruff check .

# Field accuracy of the parser on the table of real-looking posts.
accuracy: $(STAMP)
	$(BIN)/python -m benchmarks.parser_accuracy

# Every benchmark, each beside its naive baseline in the same run.
bench: $(STAMP)
	$(BIN)/python -m benchmarks.bench_parser
	$(BIN)/python -m benchmarks.match_quality
	$(BIN)/python -m benchmarks.bench_match
	$(BIN)/python -m benchmarks.bench_index_sync
	$(BIN)/python -m benchmarks.bench_bot
	$(BIN)/python -m benchmarks.bench_broadcast
	$(BIN)/python -m benchmarks.bench_tickets
	$(BIN)/python -m benchmarks.bench_passes

demo: $(STAMP)
	$(BIN)/farmdock demo

clean:
	rm -rf $(VENV)
