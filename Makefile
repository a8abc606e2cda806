# Sluice: one command to run the broker, one to run every test. Each target installs and builds
# whatever is missing first (npm packages, the native addon, the TypeScript build, Kafka's jars,
# kcat), so a fresh clone needs nothing else.

SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)

NATIVE_SRC := $(shell find native -type f \( -name '*.rs' -o -name 'Cargo.toml' -o -name 'Cargo.lock' -o -name 'build.rs' \) -not -path 'native/target/*' 2>/dev/null)
TS_SRC := $(shell find src -type f -name '*.ts' 2>/dev/null)
STAMPS := .cache/stamps

.PHONY: setup build run test typecheck bench bench-micro clean deps native ts tools FORCE

# Rebuild regardless of stamps when the build outputs themselves are gone.
ifeq ($(wildcard native/*.node),)
$(STAMPS)/native: FORCE
endif
ifeq ($(wildcard dist/cli/main.js),)
$(STAMPS)/ts: FORCE
endif

setup: deps native ts tools

build: deps native ts

# npm packages: (re)installed when missing or when package-lock.json changed. `npm install` (which
# keeps the locked versions) rather than `npm ci`: npm 11 refuses this lockfile in `ci` because it
# has no entries for other platforms' optional packages (e.g. @napi-rs/lzma-darwin-*).
deps: node_modules/.package-lock.json
node_modules/.package-lock.json: package-lock.json
	npm install --no-audit --no-fund
	@touch $@

# The Rust addon, rebuilt when its sources change.
native: $(STAMPS)/native
$(STAMPS)/native: node_modules/.package-lock.json $(NATIVE_SRC)
	npm run build:native
	@mkdir -p $(STAMPS) && touch $@

# The TypeScript build (dist/), rebuilt when any source changes.
ts: $(STAMPS)/ts
$(STAMPS)/ts: node_modules/.package-lock.json tsconfig.json $(TS_SRC)
	npm run build:ts
	@mkdir -p $(STAMPS) && touch $@

# Real Kafka peers for the end-to-end tests: Kafka's jars from Maven Central, kcat from Debian.
tools:
	scripts/setup-kafka.sh
	scripts/setup-kcat.sh

# V8 flags the broker runs with (bin/sluice.js's shebang has them too): a 64 MB floor under the
# old-generation limit, as Kafka's start script gives the JVM -Xms. Without it V8 shrinks the limit
# to the ~8 MB live heap after a quiet spell, and the scavenges that 64 KiB socket reads trigger
# each start a full GC (measured: W1 after W4 in bench/README.md, 1.5x the broker CPU).
SLUICE_NODE_FLAGS := --initial-old-space-size=64

run: deps native ts
	node $(SLUICE_NODE_FLAGS) bin/sluice.js start $(ARGS)

# Type-checks the tests, scripts and benchmarks too (tsconfig.test.json), before running the tests;
# after the build: the producer benchmark imports the built package (dist/producer).
typecheck: deps ts
	npx tsc -p tsconfig.test.json

test: setup typecheck
	npx vitest run $(VITEST_ARGS)

# The suite (bench/README.md): Sluice against Apache Kafka 4.1.1 with Kafka's own tools as clients,
# ~10 min on 2 cores (3 rounds); rewrites the results block of bench/README.md. Options through ARGS, e.g.
# make bench ARGS='--only=W1,W4'.
bench: deps native ts
	scripts/setup-kafka.sh
	node --import tsx bench/suite/run.ts --readme $(ARGS)

# tinybench micro-benchmarks of the native addon.
bench-micro: deps native ts
	npm run bench:micro

# The producer benchmark (bench/producer/README.md): this SDK against kafkajs, @platformatic/kafka,
# node-rdkafka and Kafka's Java producer on one Sluice broker. node-rdkafka (built from its bundled
# librdkafka, ~2-3 min the first time) is installed into bench/producer/ by this target only, never
# by `make test`; Kafka's jars come from Maven Central as for `make bench`.
# Options go through ARGS, e.g. make bench-producer ARGS='--seconds=2 --clients=sluice,kafkajs'.
.PHONY: bench-producer
bench-producer: deps native ts bench/producer/node_modules/.package-lock.json
	scripts/setup-kafka.sh
	node --import tsx bench/producer/run.ts $(ARGS)

# node-gyp builds against the running Node's headers (<prefix>/include/node), without a download.
bench/producer/node_modules/.package-lock.json: bench/producer/package.json bench/producer/package-lock.json
	cd bench/producer && npm_config_nodedir="$${npm_config_nodedir:-$$(node -p 'require("path").resolve(process.execPath, "../..")')}" npm install --no-audit --no-fund
	@touch $@

clean:
	rm -rf dist dist-bench $(STAMPS)
