# Two commands for a newcomer: `make run` and `make test`. Everything else is a step they call.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
UVTOOL := .uvtool/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv
VENV_BIN := .venv/bin

.PHONY: run test install quality pytest bench demo migrate clean

$(UVTOOL):
	$(PYTHON) -m venv .uvtool
	.uvtool/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Install exactly what uv.lock says (fails if pyproject.toml and the lock disagree).
install: $(UVTOOL)
	UV_PYTHON=$$($(PYTHON) -c 'import sys; print(sys.executable)') $(UVTOOL) sync --frozen --quiet

migrate: install
	$(VENV_BIN)/python manage.py migrate --noinput

# The platform on its embedded default: SQLite, a simulated population as demo data. The
# delivery worker (events pushed to the partners' webhooks) runs beside the web server and
# stops when it stops (Ctrl-C, an error).
run: migrate
	$(VENV_BIN)/python manage.py load_demo --if-empty
	@echo "unefois : http://127.0.0.1:8000/ (comptes de démonstration sur la page d'accueil)"
	@$(VENV_BIN)/unefois exchange deliver --quiet & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	$(VENV_BIN)/python manage.py runserver 127.0.0.1:8000

quality: install
	$(VENV_BIN)/ruff check .
	$(VENV_BIN)/ruff format --check .
	$(VENV_BIN)/python manage.py makemigrations --check --dry-run
	$(VENV_BIN)/lint-imports

pytest: install
	$(VENV_BIN)/pytest -n auto

test: quality pytest

bench: install
	$(VENV_BIN)/python bench/rules.py

clean:
	rm -rf .venv .uvtool .pytest_cache .ruff_cache .hypothesis db.sqlite3
