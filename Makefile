# Festival: `make run` serves the app, `make test` runs every test. Both set up what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wsgi
# The app derives the address printed in QR codes from these when PUBLIC_BASE_URL is not set.
export HOST PORT

# Debian packages: WeasyPrint needs Pango; the browser tests need Chromium; the import tests re-save their
# spreadsheets with LibreOffice Calc (headless); the HTML check runs the W3C's Nu checker on Java; the tests of
# several machines start a redis-server of their own.
RUN_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core
TEST_DEBS := $(RUN_DEBS) chromium libreoffice-calc-nogui default-jre-headless redis-server

.PHONY: run test lint test-postgres test-two-machines install install-dev run-debs test-debs static translations clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed run-debs
install-dev: $(VENV)/.installed-dev test-debs

define install_debs
	@missing=""; for pkg in $(1); do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

run-debs:
	$(call install_debs,$(RUN_DEBS))

test-debs:
	$(call install_debs,$(TEST_DEBS))

# static/ published with content-hashed names and .br/.gz copies (tools/build_static.py), rebuilt when a file
# or folder in static/ changes (a folder's time changes when a file is added or removed); until it has run,
# the app serves static/ unhashed.
STATIC_MANIFEST := build/static/staticfiles.json
$(STATIC_MANIFEST): $(shell find static/) tools/build_static.py $(VENV)/.installed
	$(BIN)/python tools/build_static.py

static: $(STATIC_MANIFEST)

# One start of the app prepares everything (migrations, the demo when empty, the addresses on stderr) and prints
# the address QR codes will hold: honcho gives each process a PORT of its own (the worker's is PORT+100), so that
# address is settled before it starts, once, for the web and for the worker that prints.
run: install static
	install -d -m 700 instance
	base_url="$$($(BIN)/flask festival prepare)" || exit 1; \
	  PUBLIC_BASE_URL="$$base_url" HOST=$(HOST) PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho start --port $(PORT)

test: install-dev lint
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

# Style is part of the suite: CI fails on a lint or formatting regression.
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The same suite on PostgreSQL: a throw-away cluster on loopback (Debian's postgresql, installed when missing).
test-postgres: install-dev
	.ci/with-postgres $(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

# Two app machines behind nginx (round robin, no sticky sessions), one worker, the files in S3 (moto's server), the
# queue and the rate limits in Redis, on a throw-away PostgreSQL, static/ published as for a release:
# tests/two_machines/ (not part of `make test`).
TWO_MACHINE_DEBS := nginx redis-server
test-two-machines: install-dev static
	$(call install_debs,$(TWO_MACHINE_DEBS))
	FESTIVAL_TWO_MACHINES=1 .ci/with-postgres $(BIN)/python -m pytest tests/two_machines $(PYTEST_ARGS)

# Developers: after changing UI text, refresh the catalogues, translate, then compile.
translations: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -o festival/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i festival/translations/messages.pot -d festival/translations --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d festival/translations --statistics

clean:
	rm -rf $(VENV) .pytest_cache build
