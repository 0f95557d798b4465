# mesh-portal: the two commands a newcomer needs are `make run` and `make test`.
# Both install whatever is missing first (Rust targets and tools from crates.io, Debian packages,
# npm packages), so a fresh machine with rustup, cargo and apt needs nothing else.
#
# Every MESH_PORTAL_* variable set in the environment reaches the server (see README.md).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
export PATH := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin:$(PATH)

# The S3-compatible server the storage tests start (0.14 builds with this project's Rust).
S3S_FS_VERSION := 0.14.1
# wasm-bindgen-cli must match the wasm-bindgen library in Cargo.lock exactly.
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/ { getline; gsub(/"/, "", $$3); print $$3 }' Cargo.lock)
SITE_CSS := style/public/nhsuk/nhsuk-frontend.min.css
BIN := target/release/mesh-portal
# The browser bundle as cargo builds it, and the site folder the server serves (see `build`).
WASM := target/wasm32-unknown-unknown/wasm-release/app.wasm
SITE := target/site

# `apt-get install` for the named packages, as root or through sudo; updates the lists once.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
apt_install = if [ ! -f target/.apt-updated ]; then $(SUDO) apt-get update -qq; mkdir -p target; \
	touch target/.apt-updated; fi; DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(1) >/dev/null

.PHONY: help run test check bench bench-transfer bench-mesh build tools test-tools style lint unit-and-integration e2e mesh-client smoke

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{ printf "  make %-12s %s\n", $$1, $$2 }'

run: build ## install what is missing, build, and serve on http://127.0.0.1:3000
	@# On an empty database: a demo administrator, whose set-up link is printed here.
	$(BIN) admin create-user --if-no-accounts --email demo.admin@nhs.net --name "Demo Admin" --role admin
	$(BIN) serve

# The benchmarks run before the long suites, on a machine that has only built: after the browser
# tests the transfer benchmark's send ratio sat at the edge of its target in every run.
test: build test-tools lint bench unit-and-integration e2e mesh-client smoke ## install what is missing and run every test
	@echo "make test: every check passed"

check: tools lint ## fast loop: formatting, clippy, the domain crates' tests (no page compiled), unit tests
	cargo test -p model -p backend
	cargo test -p app --features ssr --lib
	cargo test -p server --lib

bench: build test-tools ## the benchmarks, printed with ratios to baselines of the same run
	cargo bench -p mesh-portal-tests --bench catalogue_search
	cargo bench -p mesh-portal-tests --bench transfer
	$(MAKE) --no-print-directory bench-mesh

bench-mesh: build test-tools ## the MESH API with mesh-client: this server vs mesh-sandbox, same machine, same run
	MESH_PORTAL_BIN=$(CURDIR)/$(BIN) target/test-venv/bin/python tests/bench/mesh_api.py

bench-transfer: ## 100 MB send and download vs a plain copy, peak memory, inbox of 10,000
	cargo bench -p mesh-portal-tests --bench transfer

# The browser bundle (the app crate for WebAssembly, `wasm-release`: opt-level "z"), wasm-bindgen's
# JavaScript for it, the site's CSS and the NHS.UK assets in the site folder, then the server
# (`release`). The server links to pkg/mesh-portal.js and pkg/mesh-portal_bg.wasm, the names
# wasm-bindgen gives for `--out-name mesh-portal`. The server is built with the test crate among
# the packages (only the `mesh-portal` program is built): the benchmarks, which link the server,
# then find its crates compiled with the same features, so neither rebuilds the other's (two
# minutes of each `make test`).
build: tools style ## build the server and the browser bundle (optimised; see Cargo.toml)
	cargo build -p app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate --profile wasm-release
	rm -rf $(SITE)/pkg
	wasm-bindgen $(WASM) --target web --no-typescript --out-dir $(SITE)/pkg --out-name mesh-portal
	cp style/main.css $(SITE)/pkg/mesh-portal.css
	cp -R style/public/. $(SITE)/
	cargo build -p server -p mesh-portal-tests --release --bin mesh-portal

# --- pieces -----------------------------------------------------------------------------------

# wasm-bindgen-cli: only the `wasm-bindgen` program, without the TLS its test runner downloads with.
tools: ## Rust target, wasm-bindgen-cli, Node.js
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@wasm-bindgen --version 2>/dev/null | grep -q " $(WASM_BINDGEN_VERSION)" \
		|| cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --no-default-features --bin wasm-bindgen
	@command -v npm >/dev/null || { $(call apt_install,nodejs npm); }

test-tools: ## Chromium and chromedriver, PostgreSQL, curl, aiosmtpd, s3s-fs, the browser tests' npm packages, the test identity provider (oidc-provider)
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null \
		|| { $(call apt_install,chromium chromium-driver); }
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { $(call apt_install,postgresql); }
	@command -v curl >/dev/null || { $(call apt_install,curl); }
	@s3s-fs --version 2>/dev/null | grep -q " $(S3S_FS_VERSION)" \
		|| cargo install s3s-fs --version $(S3S_FS_VERSION) --locked --features binary
	@[ target/test-venv/.installed -nt tests/requirements.txt ] || { \
		python3 -m venv target/test-venv 2>/dev/null || { $(call apt_install,python3-venv); python3 -m venv target/test-venv; }; \
		target/test-venv/bin/pip install --quiet --disable-pip-version-check -r tests/requirements.txt; \
		touch target/test-venv/.installed; }
	@[ tests/e2e/node_modules/.package-lock.json -nt tests/e2e/package-lock.json ] \
		|| (cd tests/e2e && npm ci --no-audit --no-fund)
	@[ tests/oidc/node_modules/.package-lock.json -nt tests/oidc/package-lock.json ] \
		|| (cd tests/oidc && npm ci --no-audit --no-fund)

style: $(SITE_CSS) ## the NHS.UK frontend from npm, copied into the site's assets

style/node_modules/.package-lock.json: style/package.json style/package-lock.json
	cd style && npm ci --no-audit --no-fund

$(SITE_CSS): style/node_modules/.package-lock.json style/build-assets.mjs
	cd style && npm run build

lint: ## rustfmt and clippy (ssr and hydrate feature sets apart), warnings are errors
	cargo fmt --all -- --check
	cargo clippy -p model -p backend -p app --features app/ssr -p server -p mesh-portal-tests --all-targets -- -D warnings
	cargo clippy -p app --features hydrate --target wasm32-unknown-unknown -- -D warnings

unit-and-integration: ## unit tests and the integration suite (SQLite and a throw-away PostgreSQL)
	cargo test --workspace --lib --bins --tests

smoke: build ## `make run` itself: serves, creates the SQLite database, /health answers 200
	tests/make_run_smoke.sh

mesh-client: build test-tools ## the MESH API driven by NHS England's mesh-client over HTTPS (pytest)
	cd tests/mesh_client && MESH_PORTAL_BIN=$(CURDIR)/$(BIN) $(CURDIR)/target/test-venv/bin/python -m pytest -q -p no:cacheprovider

e2e: build test-tools ## browser tests in Debian's Chromium (screenshots in target/screenshots/)
	cd tests/e2e && MESH_PORTAL_BIN=$(CURDIR)/$(BIN) npm test
