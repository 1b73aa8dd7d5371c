# Two commands on a fresh clone: `make run` runs the bot, `make test` runs the tests.
# Both create .venv and install what they need (again only when pyproject.toml changes).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test lint demo migrate bench clean

# The install is quiet (its log is shown only when it fails): a first run prints only what to do next.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip >$(VENV)/install.log 2>&1 \
		|| { cat $(VENV)/install.log; exit 1; }
	@$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]" >>$(VENV)/install.log 2>&1 \
		|| { cat $(VENV)/install.log; exit 1; }
	@touch $(STAMP)

# Exit status 2 means the bot said in a line or two what to do next (no token, a refused token…):
# no make error line on top of it.
run: $(STAMP)
	@$(PY) -m bot migrate >/dev/null
	@$(PY) -m bot run || { status=$$?; [ $$status -eq 2 ] || exit $$status; }

demo: $(STAMP)
	$(PY) -m bot demo

migrate: $(STAMP)
	$(PY) -m bot migrate

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check bot handlers scheduler storage domain tests

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
