# Multimodal Medical AI, hands-on. `make lab` opens the course, `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# JupyterLab refuses to run as root unless told; lab PCs and containers often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
export HF_HUB_OFFLINE := 1

.PHONY: venv lab test student bench grade robustness lint clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

venv: $(STAMP)  ## create .venv and install the pinned stack and course_lib

lab: $(STAMP)  ## open JupyterLab on the notebooks
	$(BIN)/jupyter lab --ServerApp.root_dir=$(CURDIR) --LabApp.default_url=/lab/tree/notebooks $(ROOT_FLAG) $(LAB_ARGS)

test: $(STAMP)  ## every test: library, notebooks (nbval), student copies, lint
	MPLBACKEND=Agg $(BIN)/python -m pytest $(PYTEST_ARGS)

student: $(STAMP)  ## regenerate student/ from notebooks/ (solutions removed)
	$(BIN)/python -m course_lib.tools.student

bench: $(STAMP)  ## run every notebook, write benchmarks/ and the README table
	MPLBACKEND=Agg $(BIN)/python -m course_lib.tools.bench $(NOTEBOOKS)

grade: $(STAMP)  ## run submitted notebooks in SUBMISSIONS=folder/, write grades.csv there
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade SUBMISSIONS=path/to/folder"; exit 2; }
	MPLBACKEND=Agg $(BIN)/python -m course_lib.tools.grade $(SUBMISSIONS)

robustness: $(STAMP)  ## rerun notebooks with shifted cohort and training seeds; writes benchmarks/robustness.csv
	MPLBACKEND=Agg $(BIN)/python -m course_lib.tools.robustness $(NOTEBOOKS)

lint: $(STAMP)  ## ruff over the library, tests and notebooks
	$(BIN)/ruff check .

clean:  ## remove the virtual environment
	rm -rf $(VENV)
