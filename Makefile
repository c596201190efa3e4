# Two commands do all set-up: `make site` builds the site from the bundled data (no network
# needed beyond installing packages), `make test` runs the whole test suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium

.PHONY: site test check lint bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
	  { echo "Error: Python 3.11 or newer is needed (found $$($(PYTHON) --version))."; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { echo "Error: could not create a virtual environment."; \
	  echo "       On Debian: sudo apt-get install -y python3-venv, then run make again."; exit 1; }
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $(STAMP)

site: $(STAMP)
	$(BIN)/storymap build --config site_config.yml --out site

check: $(STAMP)
	$(BIN)/storymap check --config site_config.yml

test: $(STAMP)
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  echo "Note: $(CHROMIUM) not found, so the browser tests will be skipped."; \
	  echo "      Install it with: sudo apt-get install -y chromium"; fi
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check storymap tests bench

bench: $(STAMP)
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf site .storymap-cache .pytest_cache
