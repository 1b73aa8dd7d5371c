# Two commands on a fresh clone: `make run` runs the bot, `make test` runs the tests.
# Both create .venv and install what they need, the exact versions and hashes of requirements-dev.lock
# (again only when the lock or pyproject.toml changes). After changing dependencies in pyproject.toml,
# `make lock` writes both lock files anew.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PIP    := $(PY) -m pip --quiet --disable-pip-version-check
UV_COMPILE := $(VENV)/bin/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes --quiet

.PHONY: run test lint typecheck demo migrate bench lock clean

# The install is quiet (its log is shown only when it fails): a first run prints only what to do next.
$(STAMP): pyproject.toml requirements-dev.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PIP) install --require-hashes --no-deps -r requirements-dev.lock >$(VENV)/install.log 2>&1 \
		|| { cat $(VENV)/install.log; exit 1; }
	@$(PIP) install --no-deps --no-build-isolation -e . >>$(VENV)/install.log 2>&1 \
		|| { cat $(VENV)/install.log; exit 1; }
	@touch $(STAMP)

lock:
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PIP) install uv
	$(UV_COMPILE) -o requirements.lock
	$(UV_COMPILE) --extra dev -o requirements-dev.lock

# Exit status 2 means the bot said in a line or two what to do next (no token, a refused token…):
# no make error line on top of it.
run: $(STAMP)
	@$(PY) -m bot migrate >/dev/null
	@$(PY) -m bot run || { status=$$?; [ $$status -eq 2 ] || exit $$status; }

demo: $(STAMP)
	$(PY) -m bot demo

migrate: $(STAMP)
	$(PY) -m bot migrate

# The tests run in PYTEST_WORKERS processes (pytest-xdist; 0: in this one). Tests that share something
# outside their own temp dir and database (the isolation probe's one recording, the Redis keys of one bot)
# carry an `xdist_group` mark and run in one worker, the rest wherever a worker is free.
PYTEST_WORKERS ?= 2

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest -q -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# The packages listed in pyproject.toml [tool.mypy], domain/ strictly.
typecheck: $(STAMP)
	$(VENV)/bin/mypy

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check bot handlers scheduler storage domain tests

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
