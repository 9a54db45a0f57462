# Multimodal Medical AI, hands-on. `make lab` opens the course, `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
# Every target runs course.py (`python course.py lab` is the same thing without make): it
# creates $(VENV) if missing, installs the pinned stack once (stamp $(VENV)/.installed,
# redone when requirements.txt or pyproject.toml is newer), adds --allow-root to JupyterLab
# when run as root, and sets HF_HUB_OFFLINE=1 (MPLBACKEND=Agg for test, bench, grade and robustness).
COURSE := $(PYTHON) course.py --venv $(VENV)

.PHONY: venv lab test student bench grade robustness lint clean

venv:  ## create .venv and install the pinned stack and course_lib
	$(COURSE) venv

lab:  ## open JupyterLab on the notebooks
	$(COURSE) lab $(LAB_ARGS)

test:  ## every test: library, notebooks (nbval), student copies, lint
	$(COURSE) test $(PYTEST_ARGS)

student:  ## regenerate student/ from notebooks/ (solutions removed)
	$(COURSE) student

bench:  ## run every notebook, write benchmarks/ and the README table
	$(COURSE) bench $(NOTEBOOKS)

grade:  ## run submitted notebooks in SUBMISSIONS=folder/, write grades.csv there
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=path/to/folder"; exit 2; }
	$(COURSE) grade $(SUBMISSIONS)

robustness:  ## rerun notebooks with shifted seeds, write benchmarks/robustness.csv (slow)
	$(COURSE) robustness $(NOTEBOOKS)

lint:  ## ruff over the library, tests and notebooks
	$(COURSE) lint

clean:  ## remove the virtual environment
	rm -rf $(VENV)
