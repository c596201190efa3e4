# Two commands do all set-up: `make site` builds the site from the bundled data (no network
# needed beyond installing packages), `make test` runs the whole test suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium

.PHONY: site test test-fast browser check lint bench clean

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

# The browser tests always run: a missing browser is installed (as root, or with sudo that needs
# no password), or make stops at once with the one command to run. Never a pass with them skipped.
test: $(STAMP) browser
	STORYMAP_REQUIRE_BROWSER=1 STORYMAP_CHROMIUM=$(CHROMIUM) $(BIN)/pytest

# The fast tier: every test that needs neither the full London build nor Chromium (the small
# fixture project's golden cases included); tests/conftest.py marks the others.
test-fast: $(STAMP)
	$(BIN)/pytest -m "not full and not browser"

browser:
	@if [ -x "$(CHROMIUM)" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; \
	else echo "Error: the browser tests need Chromium at $(CHROMIUM), which is not installed."; \
	  echo "       Install it, then run make test again: sudo apt-get install -y chromium"; \
	  exit 1; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
	  echo "Error: the browser tests need Chromium at $(CHROMIUM); install Chromium there"; \
	  echo "       (or run make test CHROMIUM=/path/to/chromium)."; exit 1; fi; \
	echo "Installing Chromium for the browser tests: $${sudo:+sudo }apt-get install -y chromium"; \
	$$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq chromium >/dev/null || \
	  { echo "Error: apt-get could not install chromium (see above)."; \
	    echo "       Run: sudo apt-get install -y chromium"; exit 1; }; \
	[ -x "$(CHROMIUM)" ] || { echo "Error: chromium was installed but $(CHROMIUM) is missing."; \
	  echo "       Run make test CHROMIUM=/path/to/chromium"; exit 1; }

lint: $(STAMP)
	$(BIN)/ruff check storymap tests bench tools
	$(BIN)/ruff format --check storymap tests bench tools

bench: $(STAMP)
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf site .storymap-cache .pytest_cache
