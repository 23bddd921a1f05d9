# epinet — the two commands a new user needs are `make run` and `make test`.
SHELL := /bin/bash
BUILD ?= build
BUILD_TYPE ?= RelWithDebInfo
# ccache: paths relative to the checkout, so a fresh clone elsewhere hits the cache.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

.PHONY: all deps test-deps build web run test unit integration e2e sanitize bench clean

all: build

deps:
	@scripts/install-deps build

test-deps:
	@scripts/install-deps all

$(BUILD)/build.ninja: CMakeLists.txt
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null

build: deps $(BUILD)/build.ninja
	@cmake --build $(BUILD)
	@$(MAKE) --no-print-directory web

web:
	@scripts/build-web

# Installs, builds, migrates, seeds the demo city (idempotent) and serves it.
run: build
	@scripts/run-demo

# Installs, builds and runs every test: unit, integration (SQLite and a real
# PostgreSQL 15 started by the harness) and end-to-end in Chromium.
test: test-deps build
	@scripts/run-tests

unit: build
	@ctest --test-dir $(BUILD) --output-on-failure

integration: test-deps build
	@cd tests && node --test --test-concurrency=1 --test-reporter=spec integration/

e2e: test-deps build
	@cd tests && node --test --test-concurrency=1 --test-reporter=spec e2e/

# Every test under AddressSanitizer + UndefinedBehaviorSanitizer, then under
# ThreadSanitizer (build-asan, build-tsan): ~13 minutes on 2 cores once both are
# built, each build ~10 minutes the first time.
sanitize: test-deps build
	@scripts/run-sanitized asan --all
	@scripts/run-sanitized tsan --all

bench: build
	@bench/run-all

clean:
	rm -rf $(BUILD) build-asan build-tsan web/dist
