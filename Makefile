# paxos-notes: set-up, checks and chores.
#
# From a fresh clone, two commands do everything (see README.md):
#   make lab     create .venv if missing, install, open JupyterLab on the index
#   make test    install with the test extra, lint, unit tests + strict nbval
#
# Variables you may set on the command line:
#   NO_BROWSER=1       make lab: start the server without opening a browser
#   LAB_IP=127.0.0.1   make lab: address to bind (set 0.0.0.0 only if you mean it)
#   LAB_PORT=8888      make lab: first port to try (Jupyter moves up if it is taken)
#   LAB_TOKEN=...      make lab: fixed token (default: Jupyter draws a random one)
#   NB=notebooks/...   make test-notebook / make notebook: the notebook to use
#   PYTEST_ARGS=...    make test: extra pytest arguments (e.g. -x, -k cli)
#   PYTHON=python3.11  interpreter used to create .venv

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

# Stamps record that the install step ran against the current pyproject.toml, so
# a second `make lab` / `make test` skips pip entirely; editing pyproject.toml
# (or deleting .venv) re-runs it.
LAB_STAMP := $(VENV)/.paxos-notes-lab.stamp
TEST_STAMP := $(VENV)/.paxos-notes-test.stamp

NO_BROWSER ?=
LAB_IP ?= 127.0.0.1
LAB_PORT ?= 8888
LAB_TOKEN ?=
NB ?= notebooks/00_index.ipynb
PYTEST_ARGS ?=

# Strict nbval: every committed output is compared (never --nbval-lax). The
# sanitize file masks only output that is volatile by nature (addresses, SVG
# dates and ids). --nbval-current-env runs the kernel from this .venv whatever
# kernels the user has installed elsewhere.
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with nbval-sanitize.cfg
PYTEST := $(BIN)/python -m pytest

# Set iteration order of str keys depends on hash randomisation; notebooks and
# their strict check must print the same text, so both run with one fixed seed.
NOTEBOOK_ENV := PYTHONHASHSEED=0 JUPYTER_PATH=$(CURDIR)/$(VENV)/share/jupyter

.PHONY: help install install-test lab test lint test-notebook notebooks notebook bench clean \
	distclean

help:
	@echo "make lab          install (once) and open JupyterLab on notebooks/00_index.ipynb"
	@echo "                  (make lab NO_BROWSER=1: print the URL, open no browser)"
	@echo "make test         install the test extra (once), ruff, unit tests, strict nbval"
	@echo "make test-notebook NB=notebooks/00_index.ipynb   strict nbval on one notebook"
	@echo "make notebooks    re-execute every notebook in place (kernel python3)"
	@echo "make notebook NB=notebooks/00_index.ipynb   re-execute one notebook in place"
	@echo "make bench        run every benchmarks/*.py"
	@echo "make clean        remove caches and build output (make distclean: also .venv)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The post-install steps, shared by both install flavours.
#  1. rfc3987-syntax comes in through jupyter-events -> jsonschema[format-nongpl].
#     jsonschema imports it (if present) only to check the "iri" string formats,
#     and building its parsers costs ~2.3 s at every `import jsonschema`, hence
#     in every pytest run, nbval collection and Lab server start. Nothing in the
#     Jupyter stack validates an "iri" format, and jsonschema skips a format whose
#     library is missing, so we remove it (measured figures in README.md;
#     tests/test_project_packaging.py checks notebook validation still works).
#  2. Build matplotlib's font cache now: otherwise the first kernel that imports
#     matplotlib prints "building the font cache" on stderr, which strict nbval
#     rightly reports as an unexpected output.
define post_install
	$(BIN)/python -m pip uninstall --quiet --yes rfc3987-syntax
	MPLBACKEND=Agg $(BIN)/python -c "import matplotlib.font_manager"
endef

$(LAB_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	$(post_install)
	touch $@

# The test install is a superset of the lab install, so it refreshes both stamps.
$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(post_install)
	touch $@ $(LAB_STAMP)

install: $(LAB_STAMP)
install-test: $(TEST_STAMP)

# Serves the repository (so readers can open the package beside the notebooks)
# and lands on the index. Binds 127.0.0.1 unless LAB_IP says otherwise; Jupyter
# prints the URL with its token. News and update checks are off: the companion
# makes no network calls.
lab: $(LAB_STAMP)
	$(BIN)/jupyter lab \
	  --ServerApp.root_dir=$(CURDIR) \
	  --LabApp.default_url=/lab/tree/notebooks/00_index.ipynb \
	  --ServerApp.ip=$(LAB_IP) --ServerApp.port=$(LAB_PORT) \
	  $(if $(filter-out 0 no false,$(NO_BROWSER)),--no-browser) \
	  $(if $(LAB_TOKEN),--IdentityProvider.token=$(LAB_TOKEN)) \
	  $(if $(filter 0,$(shell id -u)),--allow-root) \
	  --LabApp.news_url=None \
	  --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate

lint: $(TEST_STAMP)
	$(BIN)/ruff check .

# Chromium is for tests/browser/; scripts/ensure-chromium installs Debian's
# package when it can, and otherwise says how (those tests then skip locally).
test: $(TEST_STAMP)
	scripts/ensure-chromium
	$(BIN)/ruff check .
	$(NOTEBOOK_ENV) $(PYTEST) $(NBVAL) tests notebooks $(PYTEST_ARGS)

test-notebook: $(TEST_STAMP)
	$(NOTEBOOK_ENV) $(PYTEST) $(NBVAL) $(NB)

# Re-execute every notebook in place, deterministically: kernel python3 from
# this .venv, no per-cell timing metadata (it would change on every run).
EXECUTE := $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.kernel_name=python3 \
	  --ExecutePreprocessor.timeout=600 \
	  --ExecutePreprocessor.record_timing=False

notebooks: $(TEST_STAMP)
	$(NOTEBOOK_ENV) $(EXECUTE) notebooks/*.ipynb

# The same for one notebook: make notebook NB=notebooks/03_choosing_a_value.ipynb
notebook: $(TEST_STAMP)
	$(NOTEBOOK_ENV) $(EXECUTE) $(NB)

bench: $(TEST_STAMP)
	@shopt -s nullglob; files=(benchmarks/*.py); \
	if [ $${#files[@]} -eq 0 ]; then echo "no benchmarks yet (benchmarks/*.py)"; fi; \
	for f in "$${files[@]}"; do echo "== $$f"; $(BIN)/python "$$f"; done

clean:
	rm -rf build dist *.egg-info .pytest_cache .ruff_cache .hypothesis
	find . -path ./$(VENV) -prune -o \( -name __pycache__ -o -name .ipynb_checkpoints \) \
	  -type d -print0 | xargs -0 rm -rf

distclean: clean
	rm -rf $(VENV)
