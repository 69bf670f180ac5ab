# Credit Estimator — build, run, test, bench.
# `make run` and `make test` work on a fresh machine: they install what they need.

SHELL      := /bin/bash
GO         ?= go
GOROOT     := $(shell $(GO) env GOROOT)
WASM_EXEC  := $(GOROOT)/lib/wasm
# PORT=… make run serves on that port (ADDR wins when both are given).
PORT       ?= 8080
ADDR       ?= 127.0.0.1:$(PORT)
DIST       := web/dist
BIN        := bin
# The ledger's data folder for `make run`: SQLite database and development operator key.
DATA       ?= data
# Fuzz budgets are execution counts, not durations: a duration races the fuzz coordinator's
# deadline in Go 1.26 and fails at random with "context deadline exceeded" (golang/go#75804).
FUZZTIME   ?= 100000x
# Minimizing a large input (a 6 KB rate card) can take the whole budget: keep it short.
FUZZFLAGS  ?= -fuzztime=$(FUZZTIME) -fuzzminimizetime=50x
export PATH := $(WASM_EXEC):$(PATH)
# RATECARD=path builds for a platform's own rate card: linked into the module and used by the
# asset build (precomputed preview, assets.json, facts.js), so it is the default everywhere.
RATECARD   ?=
WASM_LDFLAGS := -s -w -buildid=
ifneq ($(strip $(RATECARD)),)
WASM_LDFLAGS += -X main.platformCard=$(shell base64 -w0 $(RATECARD))
WEBBUILD_FLAGS := -ratecard $(RATECARD)
endif
# The npm package directory (make package packs it into bin/).
PKG        := bin/package
# A second build for the browser tests of a platform's own card (web/test/fixtures/platform-card.json).
PLATFORM_CARD := web/test/fixtures/platform-card.json
PLATFORM_DIST := bin/platform/dist

.PHONY: all build wasm web server run test test-go deps-stripe-mock test-race test-fuzz test-wasm test-node test-browser bench deps-node deps-browser vet clean vectors package typecheck platform-build

all: build

## build: the wasm module, the web assets (hashed, precompressed) and the server binary
build: web server

wasm:
	@mkdir -p $(BIN)
	@# The module takes the card's bytes from a generated literal in place of estimator/cardjson.go's
	@# //go:embed (the embed package would bring io/fs and time: ≈ 28 KB brotli); nothing generated is committed.
	@$(GO) run ./estimator/internal/cmd/cardsource -card estimator/ratecard.json -out $(abspath $(BIN))/cardjson.go
ifneq ($(strip $(FREEZECARD)),)
	@# FREEZECARD=1: the card parsed at build time (estimator/frozen.go) in place of
	@# estimator/frozencard.go's stand-in: Go starts with less to parse (docs/wasm.md), the module is ~70 KB (brotli) larger.
	$(GO) run -tags freezecard ./estimator/internal/cmd/freezecard$(if $(strip $(RATECARD)), -card $(RATECARD)) -out $(abspath $(BIN))/frozencard.go
	@printf '{"Replace":{"%s":"%s","%s":"%s"}}\n' "$(CURDIR)/estimator/cardjson.go" "$(abspath $(BIN))/cardjson.go" "$(CURDIR)/estimator/frozencard.go" "$(abspath $(BIN))/frozencard.go" > $(BIN)/overlay.json
else
	@printf '{"Replace":{"%s":"%s"}}\n' "$(CURDIR)/estimator/cardjson.go" "$(abspath $(BIN))/cardjson.go" > $(BIN)/overlay.json
endif
	@echo 'GOOS=js GOARCH=wasm $(GO) build -trimpath -overlay $(BIN)/overlay.json -ldflags="-s -w -buildid="$(if $(strip $(RATECARD)), -X main.platformCard=<base64 of $(RATECARD)>) -o $(BIN)/estimator.wasm ./wasm'
	@GOOS=js GOARCH=wasm $(GO) build -trimpath -overlay $(BIN)/overlay.json -ldflags="$(WASM_LDFLAGS)" -o $(BIN)/estimator.wasm ./wasm

web: wasm
	$(GO) run ./cmd/webbuild -wasm $(BIN)/estimator.wasm -wasm-exec $(WASM_EXEC)/wasm_exec.js -src web -out $(DIST) -pkg-out $(PKG) $(WEBBUILD_FLAGS)

## package: the npm package (bin/creditestimator-widget-<version>.tgz) built with npm pack
package: web
	cd $(PKG) && npm pack --pack-destination .. --silent

## platform-build: the same site built with `make web RATECARD=…` for the test platform card, into
## bin/platform/ (browser tests of a platform's own card use it)
platform-build:
	$(MAKE) --no-print-directory web RATECARD=$(PLATFORM_CARD) BIN=bin/platform DIST=$(PLATFORM_DIST) PKG=bin/platform/package

## typecheck: tsc --noEmit over the package's JS (JSDoc types) and .d.ts files
typecheck: web deps-node
	node_modules/.bin/tsc -p web/test/types/tsconfig.json

server:
	@mkdir -p $(BIN)
	$(GO) build -trimpath -o $(BIN)/creditestimator ./cmd/creditestimator

## run: build and serve the demo (-demo: sign-up and simulated top-ups for demo accounts) on
## localhost with the embedded default rate card and the ledger on SQLite under $(DATA)/
## (LEDGER_DB and LEDGER_OPERATOR_KEY, when set, are used instead; STRIPE_SECRET_KEY and
## STRIPE_WEBHOOK_SECRET switch the top-up button to Stripe Checkout)
run: build
	$(BIN)/creditestimator -addr $(ADDR) -web $(DIST) -data $(DATA) -demo

## test: every suite (native Go, short fuzz, Go under wasm/Node, Node shim tests, browser tests)
test: vet test-go test-race test-fuzz test-wasm test-node typecheck test-browser

## vet: gofmt, go mod tidy, go vet (native and js/wasm), and safejs's jsguard: JavaScript is reached
## through github.com/hack-pad/safejs only (the boundary), never raw syscall/js
vet:
	@out=$$(gofmt -l $$(git ls-files '*.go') 2>/dev/null); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) mod tidy -diff
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./estimator/... ./wasm/...
	@mkdir -p $(BIN)
	$(GO) build -o $(BIN)/jsguard github.com/hack-pad/safejs/jsguard/cmd/jsguard
	GOOS=js GOARCH=wasm $(BIN)/jsguard -test=false $$(GOOS=js GOARCH=wasm $(GO) list -e -f '{{if not .Error}}{{if not .DepsErrors}}{{.ImportPath}}{{end}}{{end}}' ./...)
	@# jsguard looks at calls on a js.Value variable, not at chains such as js.Global().Get(…): no
	@# file but a test (and safejs itself, third_party/safejs) imports syscall/js at all.
	@out=$$(git grep -l '"syscall/js"' -- '*.go' ':!*_test.go' ':!third_party/safejs/'); if [ -n "$$out" ]; then echo "raw syscall/js outside tests (use safejs):"; echo "$$out"; exit 1; fi

# Stripe's official API mock for the payment tests (internal/stripetest installs it itself too
# when missing; in CI a missing stripe-mock fails the tests).
STRIPE_MOCK_VERSION := v0.203.0
deps-stripe-mock:
	@command -v stripe-mock >/dev/null || [ -x "$$($(GO) env GOPATH)/bin/stripe-mock" ] || \
	  { echo "installing stripe-mock $(STRIPE_MOCK_VERSION)"; GOFLAGS= $(GO) install github.com/stripe/stripe-mock@$(STRIPE_MOCK_VERSION); }

test-go: deps-stripe-mock
	$(GO) test -count=1 ./...

## test-race: the ledger's suites (SQLite and PostgreSQL, concurrency included), the payment and
## abuse tests, the webhook deliveries and reports under the race detector
test-race:
	CGO_ENABLED=1 $(GO) test -race -count=1 ./ledger/...
	CGO_ENABLED=1 $(GO) test -race -count=1 -run 'Ledger|Stripe|SlowBodies|FairShare|RefusedSignups|Webhook|Report' ./server/

## test-fuzz: every Fuzz* target of the module (found by .ci/fuzz-all), each for $(FUZZTIME)
test-fuzz:
	GO=$(GO) .ci/fuzz-all $(FUZZFLAGS)

test-wasm:
	GOOS=js GOARCH=wasm $(GO) test -count=1 ./estimator/... ./wasm/...
	@# the patched safejs the module uses (third_party/safejs/PATCH.md)
	cd third_party/safejs && GOOS=js GOARCH=wasm $(GO) test -count=1 ./...

deps-node:
	@command -v node >/dev/null || { echo "node is required"; exit 1; }
	@if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then npm ci --no-audit --no-fund; fi

# Chromium, and fonts for Chinese, Japanese and Arabic text (the locale screenshots need them).
BROWSER_FONTS := fonts-noto-cjk fonts-noto-core
deps-browser: deps-node
	@if ! command -v chromium >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "chromium (Debian package) is missing; install it as root: apt-get install -y chromium"; exit 1; fi; fi
	@missing=""; for p in $(BROWSER_FONTS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else echo "note: fonts missing ($$missing); CJK/Arabic screenshots may show boxes. As root: apt-get install -y$$missing"; fi; fi

# Once in several CI runs, a Node test process died of SIGSEGV inside V8 (no test had failed; 47 later
# runs, some under load, did not reproduce it). A suite whose only trouble is a process killed by a
# signal is run once more, loudly; an assertion failure is never retried.
test-node: build deps-node
	@set -o pipefail; node --test web/test/node/ 2>&1 | tee $(BIN)/test-node.log || { \
	  if grep -q "signal: 'SIG" $(BIN)/test-node.log && ! grep -q "^    not ok\|AssertionError" $(BIN)/test-node.log; then \
	    echo "WARNING: a Node test process was killed by a signal (above); running the Node suite once more"; \
	    node --test web/test/node/; else exit 1; fi; }

test-browser: build package platform-build deps-browser
	node --test --test-concurrency=1 web/test/browser/

bench: build deps-browser
	@mkdir -p bench/out
	WORST_CASES_OUT=$(CURDIR)/bench/out/worst-cases-engine.json $(GO) test -run='^$$' -bench=. -benchmem ./estimator/...
	WORST_CASES_OUT=$(CURDIR)/bench/out/worst-cases-handler.json $(GO) test -run='^$$' -bench=. -benchmem ./server/
	$(GO) run ./cmd/creditestimator/loadgen -server $(BIN)/creditestimator -json bench/out/server-load.json
	$(GO) run ./cmd/ledgerbench -json bench/out/ledger.json
	node bench/wasm-bench.mjs
	node web/test/browser/bench.mjs
	node bench/startup-bench.mjs
	node bench/summary.mjs

## vectors: regenerate the golden vectors (review the diff by eye before committing)
vectors:
	$(GO) run ./estimator/internal/cmd/genvectors -out estimator/testdata

clean:
	rm -rf $(BIN) $(DIST) bench/out
