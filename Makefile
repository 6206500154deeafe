# clearinghouse — see `make help`.
GO        ?= go
export PATH := $(PATH):/usr/local/go/bin
BIN       := bin/clearinghouse
PKGS      := ./...
FUZZTIME  ?= 10m
BENCHTIME ?= 1s
BENCHCPU  ?= 1

.DEFAULT_GOAL := help

.PHONY: help
help: ## list the targets
	@awk 'BEGIN{FS=":.*## "} /^[a-z0-9_-]+:.*## /{printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X github.com/clearinghouse/clearinghouse/internal/cli.version=$(VERSION)

.PHONY: build
build: ## build bin/clearinghouse (clearinghouse --version prints VERSION, default git describe)
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/clearinghouse

.PHONY: run
run: build ## one full demo cycle on embedded defaults (SQLite + embedded SFTP on loopback)
	./$(BIN) --log-level warn demo

.PHONY: portal
PORTAL_ADDR ?= 127.0.0.1:8080
portal: build ## the demo cycle, then the web portal on PORTAL_ADDR (loopback) with a demo admin and provider user (credentials printed)
	./$(BIN) --log-level warn demo --portal $(PORTAL_ADDR)

.PHONY: screenshots
screenshots: ## refresh docs/screenshots/ (the portal's browser test; needs chromium)
	PORTAL_SCREENSHOTS=$(CURDIR)/docs/screenshots $(GO) test -count=1 -run '^TestPortalBrowser$$' -v ./internal/cli

.PHONY: test
test: ## the whole test suite: gofmt, go vet, unit and integration tests
	@out="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"; \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	@# Outside CI the output goes through internal/testsummary: the plain
	@# go test lines, then how many tests were skipped and why (no PostgreSQL,
	@# no OpenSSH). Under CI=true a missing service fails instead of skipping,
	@# and go test's own output is kept as is.
	@if [ "$$CI" = true ]; then \
	  echo "$(GO) test -count=1 -timeout 25m $(PKGS)"; $(GO) test -count=1 -timeout 25m $(PKGS); \
	else \
	  echo "$(GO) test -json -count=1 -timeout 25m $(PKGS) | $(GO) run ./internal/testsummary"; \
	  rcf=$$(mktemp); { $(GO) test -json -count=1 -timeout 25m $(PKGS); echo $$? >"$$rcf"; } | $(GO) run ./internal/testsummary; \
	  s=$$?; rc=$$(cat "$$rcf"); rm -f "$$rcf"; [ "$$s" = 0 ] && [ "$$rc" = 0 ]; \
	fi
	cd bench && GONOSUMDB=github.com/moov-io/x12 $(GO) vet ./... && GONOSUMDB=github.com/moov-io/x12 $(GO) test -count=1 ./...

.PHONY: chaos
CHAOS_ITERATIONS ?= 50
chaos: ## fault-injection harness: the short scenarios, then CHAOS_ITERATIONS random faults (seed CHAOS_SEED) on SQLite, and PostgreSQL when DATABASE_URL is set
	CHAOS_ITERATIONS=$(CHAOS_ITERATIONS) $(GO) test -count=1 -timeout 120m -v ./internal/chaos

.PHONY: race
race: ## tests with the race detector
	$(GO) test -race -count=1 $(PKGS)

.PHONY: bench
bench: ## benchmarks (generated 837P/837I; 10k claims, full process on 100k, 1M + 1 GB peak RSS with BENCH_LARGE=1) incl. the moov-io/x12 peer, then a summary
	@mkdir -p bench/results; rc=0; \
	{ $(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) -cpu $(BENCHCPU) $(PKGS) 2>&1; echo $$? >bench/results/product.rc; } | tee bench/results/product.txt; \
	[ "$$(cat bench/results/product.rc)" = 0 ] || rc=1; \
	{ cd bench && GONOSUMDB=github.com/moov-io/x12 $(GO) test -run '^TestPeakRSS$$' -bench . -benchmem -benchtime $(BENCHTIME) -cpu $(BENCHCPU) -timeout 60m ./... 2>&1; echo $$? >results/bench.rc; } | tee bench/results/bench.txt; \
	[ "$$(cat bench/results/bench.rc)" = 0 ] || rc=1; \
	echo; echo "summary (-cpu $(BENCHCPU); bench/results/*.txt hold the raw output):"; \
	(cd bench && $(GO) run ./cmd/benchsummary results/product.txt results/bench.txt) | tee bench/results/summary.txt; \
	exit $$rc

.PHONY: bench-e2e
comma := ,
E2E_CLAIMS := $(if $(filter 1,$(BENCH_LARGE)),100000$(comma)1000000,100000)
bench-e2e: build ## end-to-end process (rules, roster, repricing, routing) of 100k claims (and 1M in one file and in 200 files of 5k with BENCH_LARGE=1) on SQLite and, with DATABASE_URL, PostgreSQL: claims/s, wall, CPU, peak RSS
	cd bench && GONOSUMDB=github.com/moov-io/x12 $(GO) run ./cmd/e2ebench -bin ../bin/clearinghouse -claims $(E2E_CLAIMS)
	$(if $(filter 1,$(BENCH_LARGE)),cd bench && GONOSUMDB=github.com/moov-io/x12 $(GO) run ./cmd/e2ebench -bin ../bin/clearinghouse -claims 1000000 -files 200)

.PHONY: fuzz
FUZZ_TARGETS := edi/x12:FuzzReader edi/x12:FuzzParseCents edi/schema:FuzzParser edi/claim:FuzzDecode \
	edi/validate:FuzzValidate repricing:FuzzParseDecimal repricing:FuzzLoadFeeSchedule repricing:FuzzLoadContracts repricing:FuzzContractTPAID \
	repricing/x12price:FuzzReprice edi/claim:FuzzSetParties transport/internal/xfer:FuzzCleanPath \
	csvsub:FuzzConvertClaims csvsub:FuzzConvertResults \
	inquiry/answer:FuzzRealtime
fuzz: ## run every fuzz target for FUZZTIME each (default 10m); crashers land in the package's testdata/fuzz
	@for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; fn=$${t##*:}; \
	  echo "== $$pkg $$fn ($(FUZZTIME))"; \
	  $(GO) test ./$$pkg -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZTIME) || exit 1; done

.PHONY: lint
lint: ## gofmt and go vet
	@test -z "$$(gofmt -l .)" || (gofmt -l .; exit 1)
	$(GO) vet $(PKGS)

.PHONY: clean
clean: clean-demo ## remove build output, var/ and the demo's work dirs
	rm -rf bin var

# The demo's default work dirs are $TMPDIR/clearinghouse-demo-*; ours are
# those owned by us that hold the demo's marker file (or, made before the
# marker, its sftp/acme jail).
.PHONY: clean-demo
clean-demo: ## remove the work dirs `clearinghouse demo` left in $TMPDIR
	@find "$${TMPDIR:-/tmp}" -maxdepth 1 -type d -name 'clearinghouse-demo-*' -user "$$(id -u)" \
	  \( -exec test -e '{}/.clearinghouse-demo' \; -o -exec test -d '{}/sftp/acme' \; \) \
	  -print -exec rm -rf '{}' +
