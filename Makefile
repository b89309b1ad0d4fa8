# desk-cti-py: `make demo` runs the demo console, `make test` runs every test layer.
# Each target installs what it needs first (Debian Chromium, node modules, a venv).

# The tools need Python >= 3.12 (pyodide-build's lock tooling); pyenv's 3.12 on this machine kind.
PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12 /usr/bin/python3.12 /usr/local/bin/python3.12))
VENV   := .venv
PY     := $(VENV)/bin/python
PYTEST := $(VENV)/bin/pytest
SRC    := $(shell find desk_cti_py -name '*.py' -o -name '*.json' -o -name py.typed) desk_cti_tools/wheels.py
WHEEL_DIR := build/wheel
RUNTIME   := build/pyodide/.built
TEST_RUNTIME := build/pyodide-test/.built
export SE_CHROMEDRIVER := /usr/bin/chromedriver
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: demo test test-unit test-js test-pyodide test-e2e setup dist wheel bench fuzz clean chromium

# `desk-cti serve` on the demo softphone (site/softphone, an ordinary softphone project), from
# this checkout: DEMO_ARGS="--console-port 8100 --phone-port 8101" for other ports.
demo: setup
	$(PY) -m desk_cti_tools.cli serve site/softphone $(DEMO_ARGS)

test: setup dist
	$(MAKE) --no-print-directory test-unit test-js test-pyodide test-e2e

test-unit:
	$(VENV)/bin/ruff check --quiet --select F,E9,B --ignore B008,B905 desk_cti_py desk_cti_tools site tests tools bench
	$(VENV)/bin/mypy --strict --no-error-summary desk_cti_py desk_cti_tools tests/typing/check_types.py
	$(PYTEST) -q tests/unit

# Every tests/js/test_*.mjs, with Node's own runner (no framework). Named by glob: Node 20 given
# the folder runs only test-*, *_test and *.test.* files, and passes with none found.
test-js:
	node --test tests/js/test_*.mjs

test-pyodide:
	$(PYTEST) -q tests/pyodide --dist-dir=build/pyodide-test --runtime=chrome,node --runner=playwright

test-e2e:
	$(PYTEST) -q tests/e2e

setup: $(VENV)/.installed node_modules/.installed chromium

$(VENV)/.installed: requirements-dev.txt
	@test -n "$(PYTHON)" || { echo "Python 3.12 not found: set PYTHON=/path/to/python3.12"; exit 1; }
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

chromium:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
	  echo "installing Debian's chromium and chromium-driver"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	fi

wheel: $(WHEEL_DIR)/.built
# The browser wheel: desk_cti_py alone (what `desk-cti build` ships), written by desk_cti_tools.
$(WHEEL_DIR)/.built: $(SRC) $(VENV)/.installed
	rm -rf $(WHEEL_DIR)
	$(PY) -m desk_cti_tools.wheels $(WHEEL_DIR)
	touch $@

# pytest-pyodide's wheels (pytest and kin, micropip), pinned once in desk_cti_tools/pins.py
build/test-wheels/.built: desk_cti_tools/pins.py $(VENV)/.installed
	rm -rf build/test-wheels
	$(VENV)/bin/pip download -q --disable-pip-version-check --no-deps --only-binary=:all: --python-version 3.14 -d build/test-wheels \
	  $$($(PY) -c 'from desk_cti_tools.pins import TEST_WHEELS; print(*TEST_WHEELS)')
	touch $@

dist: $(RUNTIME) $(TEST_RUNTIME)
TOOLS_BUILD := tools/build_dist.py desk_cti_tools/runtime.py desk_cti_tools/lock.py desk_cti_tools/build.py
SNAPSHOT_TOOL := desk_cti_tools/snapshot.py desk_cti_tools/snapshot.mjs
# The e2e layer and the bench boot build/pyodide from its memory snapshot (docs/snapshot.md).
$(RUNTIME): $(WHEEL_DIR)/.built node_modules/.installed $(TOOLS_BUILD) $(SNAPSHOT_TOOL)
	$(PY) tools/build_dist.py build/pyodide $(WHEEL_DIR)/*.whl
	$(PY) -m desk_cti_tools.snapshot build/pyodide --import desk_cti_py --import desk_cti_py._browser --wheel build/pyodide/desk_cti_py-*.whl
	touch $@
# The pytest-pyodide layer boots it from its snapshot in Chromium, through the loader's module.
$(TEST_RUNTIME): $(WHEEL_DIR)/.built build/test-wheels/.built node_modules/.installed $(TOOLS_BUILD) $(SNAPSHOT_TOOL) \
		loader/desk-console.js loader/desk-cti-snapshot.mjs tests/e2e/pages/host.html
	$(PY) tools/build_dist.py build/pyodide-test $(WHEEL_DIR)/*.whl build/test-wheels/*.whl
	$(PY) -m desk_cti_tools.snapshot build/pyodide-test --import desk_cti_py --import desk_cti_py._browser --wheel build/pyodide-test/desk_cti_py-*.whl
	mkdir -p build/pyodide-test/loader
	cp loader/desk-console.js loader/desk-cti-snapshot.mjs build/pyodide-test/loader/
	cp tests/e2e/pages/host.html build/pyodide-test/
	touch $@

# Speed, memory and bytes against bare Pyodide and plain JS: prints a table, writes bench/results.json.
bench: setup $(RUNTIME)
	$(PY) bench/run.py

# The long runs: 102,000 hypothesis cases, schemathesis at length, 20,000 malformed messages a
# side, 100,000 calls and 10,000 events. Figures land in build/robustness.json.
fuzz: setup dist
	DESK_FUZZ=long $(PYTEST) -q tests/unit/test_fuzz_protocol.py tests/unit/test_demo_api_schema.py
	DESK_FUZZ=long $(PYTEST) -q tests/e2e/test_trust.py tests/e2e/test_load.py

# The API reference from the docstrings (pdoc): build/docs/api/index.html. Every public module of
# the library, found by name; fails if pdoc warns.
API_MODULES = desk_cti_py $(subst /,.,$(patsubst %/__init__.py,%,$(wildcard desk_cti_py/[!_]*/__init__.py)) \
	$(basename $(wildcard desk_cti_py/[!_]*.py desk_cti_py/[!_]*/[!_]*.py)))
.PHONY: docs-api
docs-api: $(VENV)/.installed
	rm -rf build/docs/api && mkdir -p build/docs
	$(VENV)/bin/pdoc --docformat restructuredtext -o build/docs/api $(API_MODULES) 2> build/docs/api.log \
		|| { cat build/docs/api.log; exit 1; }
	@if [ -s build/docs/api.log ]; then cat build/docs/api.log; echo "pdoc warned (above)"; exit 1; fi
	@echo "API reference: build/docs/api/index.html"

clean:
	rm -rf build .pytest_cache
