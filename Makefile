# Every target bootstraps what it needs: a fresh clone runs `make run` or `make test` directly.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
SAM_VENV := .venv-sam
PY := $(VENV)/bin/python
SAM := $(SAM_VENV)/bin/sam
# The machine sets PYTHONDONTWRITEBYTECODE=1; we compile at install so imports stay fast.
PIP_QUIET := 2>&1 | { grep -v "^WARNING: Location '" || true; }
export SAM_CLI_TELEMETRY := 0
export AWS_DEFAULT_REGION ?= ap-southeast-2

# The web console (docs/console.md): web/ (its own package.json + lockfile) built into the ConsoleFunction's package.
WEB := web
CONSOLE := functions/console/static/index.html
WEB_SOURCES := $(shell find $(WEB)/src $(WEB)/public -type f 2>/dev/null) $(addprefix $(WEB)/,index.html vite.config.ts tsconfig.json package.json)

.PHONY: help venv test lint typecheck cfn-lint unit contract fuzz functional e2e run synclog build replay bench clean \
	console console-test browser browser-tests screenshots

help:  ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements-dev.txt shared/requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip==25.3 $(PIP_QUIET)
	$(PY) -m pip install --quiet -r requirements-dev.txt $(PIP_QUIET)
	$(PY) -m compileall -q $(VENV)/lib > /dev/null || true
	touch $@

$(SAM_VENV)/.installed: requirements-sam.txt
	test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --upgrade pip==25.3 $(PIP_QUIET)
	$(SAM_VENV)/bin/python -m pip install --quiet -r requirements-sam.txt $(PIP_QUIET)
	$(SAM_VENV)/bin/python -m compileall -q $(SAM_VENV)/lib > /dev/null || true
	touch $@

venv: $(VENV)/.installed  ## Create/refresh the dev venv (pinned deps)

$(WEB)/node_modules/.installed: $(WEB)/package-lock.json
	@node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' \
		2> /dev/null || { echo "make: the console needs Node.js 20.19+ with npm (Debian 12's own nodejs is 18: use nodejs.org or NodeSource)"; exit 1; }
	cd $(WEB) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CONSOLE): $(WEB)/node_modules/.installed $(WEB_SOURCES)
	cd $(WEB) && npm run build --silent

console: $(CONSOLE)  ## Build the web console (web/ → functions/console/static/, served at {API}/console/)

console-test: $(WEB)/node_modules/.installed  ## The console's type check and component tests (vitest, jsdom)
	cd $(WEB) && npx tsc --noEmit && npm test --silent

browser: $(VENV)/.installed  ## Headless Chromium for the browser tests (Debian's chromium, else Playwright's); says what it can't
	$(PY) -m tests.browser.chromium install

browser-tests: $(VENV)/.installed $(CONSOLE) browser  ## The console in headless Chromium against the local stack
	$(VENV)/bin/pytest tests/browser -q -p no:logging

screenshots: $(VENV)/.installed $(CONSOLE) browser  ## Browser tests, keeping their screenshots in docs/screenshots/
	CONSOLE_SCREENSHOTS=docs/screenshots $(VENV)/bin/pytest tests/browser -q -p no:logging

lint: $(VENV)/.installed  ## ruff over everything
	$(VENV)/bin/ruff check .

typecheck: $(VENV)/.installed  ## mypy (strict) on the layer
	$(VENV)/bin/mypy

cfn-lint: $(VENV)/.installed $(SAM_VENV)/.installed  ## cfn-lint and sam validate --lint on template.yaml
	$(VENV)/bin/cfn-lint template.yaml
	$(SAM) validate --lint

unit: $(VENV)/.installed  ## Pure unit tests (sockets blocked)
	$(VENV)/bin/pytest tests/unit -q

contract: $(VENV)/.installed  ## The contract suite, against every connector (add -k <key> via PYTEST_ARGS for one)
	$(VENV)/bin/pytest tests/contract -q $(PYTEST_ARGS)

fuzz: $(VENV)/.installed  ## Schemathesis over every OpenAPI document, positive and negative, many examples, a fresh seed (printed; FUZZ_SEED=… replays)
	@seed=$${FUZZ_SEED:-$$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}; \
		echo "fuzz: seed $$seed (FUZZ_SEED=$$seed make fuzz sends the same requests again)"; \
		FUZZ_SEED=$$seed FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-200} FUZZ_NEGATIVE_EXAMPLES=$${FUZZ_NEGATIVE_EXAMPLES:-200} \
		$(VENV)/bin/pytest tests/fuzz -q -p no:logging

functional: $(VENV)/.installed  ## Handlers on moto + sandboxes
	$(VENV)/bin/pytest tests/functional -q

e2e: $(VENV)/.installed  ## The local stack over HTTP (started on free ports)
	$(VENV)/bin/pytest tests/e2e -q

test: lint typecheck cfn-lint build console-test browser  ## Everything CI runs: lint, types, template lint, sam build (console included), console component tests, all tests (browser tests included)
	$(VENV)/bin/pytest -q -n 2

build: $(SAM_VENV)/.installed $(VENV)/.installed $(CONSOLE)  ## sam build (arm64 layer + functions, the built console, no container), bytecode compiled
	PATH="$(CURDIR)/$(SAM_VENV)/bin:$$PATH" $(SAM) build --cached --parallel 2>&1 | tail -n 3
	@# Lambda can't write __pycache__ (read-only /opt and /var/task): ship the bytecode, or every cold start compiles
	@# the layer again. unchecked-hash: valid whatever mtimes the zip keeps.
	$(PY) -m compileall -q -j 0 --invalidation-mode unchecked-hash .aws-sam/build > /dev/null

run: $(VENV)/.installed $(CONSOLE)  ## The whole service on this machine: moto, API stand-in, the web console, queue pump, scheduler, sandboxes
	$(PY) -m local.stack

synclog: $(VENV)/.installed  ## Follow the running local stack's sync log (make run in another terminal)
	$(PY) -m local.synclog

replay: $(VENV)/.installed  ## Move dead-lettered items back: make replay QUEUE=WmsQueue [STACK=integrations-prod] [MAX=100]
	cd shared && ../$(PY) -m integrations.core.replay --from $(QUEUE:Queue=DeadLetterQueue) --to $(QUEUE) \
		$(if $(STACK),--stack $(STACK),) $(if $(MAX),--max $(MAX),)

bench: $(VENV)/.installed  ## Benchmarks (ratios against a bare baseline)
	@for b in bench/*.py; do echo "== $$b"; $(PY) $$b; done

clean:  ## Remove venvs and build output
	rm -rf $(VENV) $(SAM_VENV) .aws-sam $(WEB)/node_modules functions/console/static
