# All set-up lives here: `make run` and `make test` work on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
KB_DB ?= var/kb.sqlite
export KB_DB

.PHONY: install validate db run serve test test-grown test-load install-wrk openapi clean

install: $(VENV)/.installed

# What the tests read the downloads with, as an analyst would (tests/api/test_parquet.py, docs/clients.md),
# installed apart: pytest alone has .venv/analyst/site-packages on its path (pyproject.toml). In the venv itself,
# sqlite-utils would import pandas into every `kb build` (~95 MB more at any size: issue 32).
ANALYST_PACKAGES := 'pandas>=2.2,<3'

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	$(BIN)/python -m pip uninstall -q -y pandas numpy  # out of the venv itself (earlier installs put them there)
	$(BIN)/python -m pip install -q --upgrade --target $(VENV)/analyst/site-packages $(ANALYST_PACKAGES)
	touch $@

validate: install
	$(BIN)/kb validate

db: install
	$(BIN)/kb build --db $(KB_DB)

run: db
	$(MAKE) serve

serve: install
	HOST=$(HOST) PORT=$(PORT) $(BIN)/python deploy/serve.py

test: install npm-install install-browser install-wrk install-nginx
	$(BIN)/python -m pytest

# The seed-reading tests again on the seeds plus the fictional articles of tests/fixtures/*-article
# (tests/README.md); `make test` runs the same pass inside tests/kb/test_curate.py.
GROWN_SEEDS ?= var/grown-seeds
test-grown: install
	rm -rf $(GROWN_SEEDS)
	PYTHONPATH=.:tests $(BIN)/python -c 'import sys, pathlib, support; support.grown_seeds(pathlib.Path(sys.argv[1]))' $(GROWN_SEEDS)
	KB_TEST_SEEDS=$(GROWN_SEEDS) $(BIN)/python -m pytest -m "seeds and not slow" -p no:cacheprovider

# The long forms of the load and live-swap tests (the short forms run in `make test`).
test-load: install install-wrk
	KB_LOAD_SECONDS=60 KB_SWAP_REQUESTS=20000 $(BIN)/python -m pytest -q -s tests/ops/test_load.py \
		tests/ops/test_reliability.py::test_live_swap_under_load_loses_nothing

# wrk (Debian package) for the load test and the benchmarks; root installs it, others are told how.
install-wrk:
	@command -v wrk >/dev/null 2>&1 || { if [ "$$(id -u)" = 0 ]; then \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends wrk >/dev/null || \
		{ apt-get -o DPkg::Lock::Timeout=300 update -qq && \
		  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends wrk >/dev/null; }; \
	else echo "wrk is missing and only root can install it: apt-get install wrk" >&2; exit 1; fi; }

clean:
	rm -rf var build dist *.egg-info .pytest_cache

# What changed in the knowledge base since BASE (a git revision or a database file), as Markdown:
# `make diff BASE=main` (HEAD=REV compares two revisions; default: the seeds as they are now).
.PHONY: diff releases
diff: install
	@test -n "$(BASE)" || { echo "usage: make diff BASE=main [HEAD=rev]" >&2; exit 2; }
	@$(BIN)/kb diff $(BASE) $(HEAD)

# The release manifests from git history (one JSON line each, oldest first).
releases: install
	@$(BIN)/kb releases --cache var/releases-cache

openapi: install
	$(BIN)/python -m api.spec_file openapi.yaml

# The screenshots of the pages the README shows (and axe-core's findings beside them), taken by the
# browser tests of tests/api/test_pages_browser.py on the seeds.
.PHONY: screenshots
screenshots: install npm-install install-browser
	KB_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -q -p no:cacheprovider tests/api/test_pages_browser.py

# --- Real clients of the API: npm tools, a browser, spec linters, generated SDKs ----------------
.PHONY: npm-install install-browser lint sdk sdk-ts compat
NPM_BIN := node_modules/.bin
SDK_DIR ?= sdk/python
SDK_TS_DIR ?= sdk/ts

# The pinned Node tools of package.json / package-lock.json (node_modules/ is git-ignored).
npm-install: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Debian's chromium for the Swagger UI browser test (Playwright drives it; no browser download).
install-browser:
	@if [ -x /usr/bin/chromium ]; then \
		echo "chromium present: $$(/usr/bin/chromium --version 2>/dev/null)"; \
	elif [ "$$(id -u)" = 0 ]; then \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get -o DPkg::Lock::Timeout=300 update -q && \
		apt-get -o DPkg::Lock::Timeout=300 install -y -q chromium; \
	else \
		echo "*** WARNING: /usr/bin/chromium is missing and this is not root, so it cannot be installed:" >&2; \
		echo "*** the Swagger UI browser test will fail (in CI) or skip loudly. Fix: sudo apt-get install -y chromium" >&2; \
	fi

# The import contracts of pyproject.toml's [tool.importlinter] (lint-imports), then the spec:
# Spectral (spectral:oas, .spectral.yaml) and Redocly (recommended, redocly.yaml): any error
# or warning fails. Redocly exits 0 on warnings, so its report is checked as well.
lint: npm-install install
	$(BIN)/lint-imports --no-cache
	$(NPM_BIN)/spectral lint --ruleset .spectral.yaml --fail-severity=hint openapi.yaml
	@out=$$(REDOCLY_TELEMETRY=off $(NPM_BIN)/redocly lint --config redocly.yaml --format=stylish openapi.yaml 2>&1); \
	status=$$?; echo "$$out" | grep -v '^ *[║╔╚]'; \
	if [ $$status != 0 ] || echo "$$out" | grep -qE '[0-9]+ (error|warning)'; then \
		echo "redocly lint: errors or warnings in openapi.yaml" >&2; exit 1; fi

# Python client generated from the committed spec with openapi-python-client into SDK_DIR
# (git-ignored): a project (pyproject.toml, pdm-backend) whose package is SDK_DIR/syria_kb_client,
# built into a wheel in DIST_DIR (`pip install DIST_DIR/syria_kb_client-*.whl`). Build offline:
# the backend is pinned in the dev extra, hence --no-isolation.
SDK_SPEC ?= openapi.yaml
SDK_CONFIG ?= clients/python/openapi-python-client.yaml
DIST_DIR ?= dist
sdk: install
	rm -rf $(SDK_DIR)
	mkdir -p $(dir $(patsubst %/,%,$(SDK_DIR)))
	$(BIN)/openapi-python-client generate --path $(SDK_SPEC) --output-path $(SDK_DIR) --meta pdm \
		--config $(SDK_CONFIG) --fail-on-warning
	rm -f $(DIST_DIR)/syria_kb_client-*.whl
	$(BIN)/python -m build --wheel --no-isolation --outdir $(DIST_DIR) $(SDK_DIR)

# TypeScript from the committed spec into SDK_TS_DIR (git-ignored): openapi-typescript generates the
# types (schema.d.ts); clients/ts/example.ts is type-checked against them (strict tsc --noEmit), and
# clients/ts/client.mts, a Node program using the typed openapi-fetch client, is compiled by tsc
# to SDK_TS_DIR/client.mjs: `node SDK_TS_DIR/client.mjs BASE_URL` (node_modules is linked there).
sdk-ts: npm-install
	rm -rf $(SDK_TS_DIR)
	mkdir -p $(SDK_TS_DIR)
	$(NPM_BIN)/openapi-typescript openapi.yaml --output $(SDK_TS_DIR)/schema.d.ts
	cp clients/ts/example.ts clients/ts/tsconfig.json clients/ts/client.mts clients/ts/tsconfig.client.json $(SDK_TS_DIR)/
	ln -s $(CURDIR)/node_modules $(SDK_TS_DIR)/node_modules
	$(NPM_BIN)/tsc -p $(SDK_TS_DIR)/tsconfig.json
	$(NPM_BIN)/tsc -p $(SDK_TS_DIR)/tsconfig.client.json

# Breaking-change check: tools/api-compat.mjs (api-smart-diff, pinned) compares every frozen
# baseline spec (each tests/compat/openapi-v1.<minor>.yaml, oldest first, unless COMPAT_BASELINE
# names one) with COMPAT_CURRENT: clients of every earlier /v1 release must keep working. Any
# breaking or unclassified change under /v1 fails (one JSON report per baseline on stdout).
# Re-freeze: copy openapi.yaml to a new tests/compat/openapi-v1.<minor>.yaml and update
# BASELINE (and FROZEN) in tests/api/test_compat.py.
COMPAT_BASELINE ?= $(shell ls tests/compat/openapi-v1.*.yaml | sort -V)
COMPAT_CURRENT ?= openapi.yaml
compat: npm-install
	@status=0; for baseline in $(COMPAT_BASELINE); do \
		node tools/api-compat.mjs $$baseline $(COMPAT_CURRENT) || status=1; done; exit $$status

# ---- Scale-out: nginx with HTTP caching and rate limits in front of N replicas (docs/deploy.md) ----
# deploy/cluster.py renders deploy/nginx.conf and deploy/supervisord.conf into CLUSTER_DIR and starts
# supervisord there, which runs (and restarts) nginx and the replicas (deploy/serve.py) as the
# current user; deploy/publish.py does the rolling update and the cache purge.
CLUSTER_DIR ?= var/cluster
CLUSTER_PORT ?= 8080
REPLICAS ?= 3
REPLICA_BASE_PORT ?= 8101
# per client address: requests that reach a replica, and every request (cache hits too)
RATE ?= 20r/s
BURST ?= 40
RATE_ALL ?= 200r/s
BURST_ALL ?= 400
SUPERVISORCTL := $(BIN)/supervisorctl -c $(CLUSTER_DIR)/supervisord.conf
# $(call cluster_apt_ensure,COMMAND,DEBIAN_PACKAGE): install the package when root and missing
cluster_apt_ensure = command -v $(1) >/dev/null 2>&1 || test -x /usr/sbin/$(1) || { \
	if [ "$$(id -u)" = 0 ]; then \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends $(2) >/dev/null || \
	  { apt-get -o DPkg::Lock::Timeout=300 update -qq && \
	    apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends $(2) >/dev/null; }; \
	else echo "$(1) is missing and only root can install it: apt-get install $(2)" >&2; exit 1; fi; }

.PHONY: install-nginx cluster cluster-stop cluster-status publish bench-cluster bench

install-nginx:
	@$(call cluster_apt_ensure,nginx,nginx)

cluster: db install-nginx
	$(BIN)/python -m deploy.cluster --dir $(CLUSTER_DIR) start --db $(KB_DB) --port $(CLUSTER_PORT) \
		--replicas $(REPLICAS) --base-port $(REPLICA_BASE_PORT) \
		--rate $(RATE) --burst $(BURST) --rate-all $(RATE_ALL) --burst-all $(BURST_ALL)

cluster-stop: install
	$(BIN)/python -m deploy.cluster --dir $(CLUSTER_DIR) stop

cluster-status: install
	$(SUPERVISORCTL) status
	$(BIN)/python -m deploy.publish --dir $(CLUSTER_DIR) versions

publish: install
	@test -n "$(DB)" || { echo "usage: make publish DB=path/to/new.sqlite" >&2; exit 2; }
	$(BIN)/python -m deploy.publish --dir $(CLUSTER_DIR) publish $(DB)

# wrk through nginx (cached, uncached) next to the single server; writes docs/benchmarks.md `## Cluster`
bench-cluster: db install-nginx install-wrk
	$(BIN)/python -m bench.cluster_bench --db $(KB_DB)

bench: bench-cluster

# ---- Serving benchmark: wrk against Granian, the API vs a bare Flask app and Datasette -----------
# bench/serve_bench.py serves generated databases of 1k and 1M facts (the 1M one is built once and
# cached under var/bench/serve/, or taken from the build bench's) and writes `## Serving` in
# docs/benchmarks.md: once with 2 workers x 1 thread, once with 2 workers x 4 threads (the serve default),
# where the framework's own cost shows. bench-smoke-serve is the seconds-long version (1k facts, 1 s per target, no
# docs) that `make test` also runs through tests/ops/test_bench_smoke_serve.py.
.PHONY: bench-serve bench-smoke-serve bench-smoke
bench-serve: install install-wrk
	$(BIN)/python -m bench.serve_bench
	$(BIN)/python -m bench.serve_bench --threads 4 --only hello,fact,typed,304,datasette-row,datasette-table --docs

bench-smoke-serve: install install-wrk
	$(BIN)/python -m bench.serve_bench --smoke

bench: bench-serve
bench-smoke: bench-smoke-serve

# ---- Build benchmark: `kb build` vs a plain `sqlite-utils insert` of the same fact rows -----------
# bench/build_bench.py generates seeds of 1k, 100k and 1M facts (bench/generate.py, cached under
# var/bench/), times `kb build` and the floor, and writes `## Build` in docs/benchmarks.md.
# SIZES=1000,100000 picks other sizes. bench-smoke-build is the seconds-long version (1k facts, no
# docs) that `make test` also runs through tests/ops/test_bench_smoke_build.py.
.PHONY: bench-build bench-smoke-build
bench-build: install
	$(BIN)/python -m bench.build_bench $(if $(SIZES),--sizes $(SIZES))

bench-smoke-build: install
	$(BIN)/python -m bench.build_bench --smoke

bench: bench-build
bench-smoke: bench-smoke-build

# ---- Release-history benchmark: `make db` after one more commit vs a build without history --------
# bench/history_bench.py generates 100k facts in a scratch git repository with 50 commits (var/bench/history/),
# then times, in alternating rounds, the build after one more commit (earlier commits cached) and the same
# seeds built outside git; writes `## Release history` in docs/benchmarks.md (target: ratio <= 1.5).
# bench-smoke-history is the seconds-long version (1k facts, 5 commits, no docs) that `make test` runs
# through tests/ops/test_bench_smoke_history.py.
.PHONY: bench-history bench-smoke-history
bench-history: install
	$(BIN)/python -m bench.history_bench

bench-smoke-history: install
	$(BIN)/python -m bench.history_bench --smoke

bench: bench-history
bench-smoke: bench-smoke-history

# ---- Curator commands (README "Adding an article"): make kb ARGS='quote SOURCE "fragment"' ------
.PHONY: kb coverage
kb: install
	$(BIN)/kb $(ARGS)

# make coverage SOURCE=<id>: the article's sentences, marked with the facts that cite them
coverage: install
	@test -n "$(SOURCE)" || { echo "usage: make coverage SOURCE=<source id>" >&2; exit 2; }
	$(BIN)/kb coverage $(SOURCE)

# ---- Search benchmark: the Tantivy index against FTS5, one client, 1k / 100k / 1M facts -----------
# bench/search_bench.py builds (once, cached under var/bench/search/) databases of generated facts,
# times common-word, multi-word, entity-name and facts?q= queries in process and over HTTP with
# the index and with FTS5 only, and writes `## Search` in docs/benchmarks.md. SIZES=1000,100000 for less.
.PHONY: bench-search
bench-search: install
	$(BIN)/python -m bench.search_bench $(if $(SIZES),--sizes $(SIZES))

bench: bench-search

# Facets at scale (bench/facet_bench.py): a fact list with and without facet= on one database
# (FACET_DB, e.g. a 1M-fact build of bench/generate.py); writes `## Facets` in docs/benchmarks.md.
.PHONY: bench-facets
bench-facets: install
	@test -n "$(FACET_DB)" || { echo "usage: make bench-facets FACET_DB=path/to/kb.sqlite" >&2; exit 2; }
	$(BIN)/python -m bench.facet_bench --db $(FACET_DB)
