# Knutepunkt — the two commands a newcomer needs:
#   make run    set up and run a local national network (hub + four regional nodes) with sample data
#   make test   set up and run every test
# Both install what is missing (libzmq3-dev from Debian) first.

SWIFT      ?= swift
SHELL      := /bin/bash
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DATA       ?= .data/local
BIN_DEBUG   = .build/debug/knutepunkt
BIN_RELEASE = .build/release/knutepunkt

.PHONY: soak soak-year fuzz run test test-deps deps build release check-configs lint deploy-check clean bench bench-peers bench-scale \
	peers-deps peers-bin package package-test

## Install the system packages the build needs, if they are missing.
deps:
	@if ! pkg-config --exists libzmq 2>/dev/null; then \
		echo "installing libzmq3-dev (ZeroMQ headers and library)"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libzmq3-dev pkg-config; \
	fi
	@# zlib (for reading .xlsx workbooks) and libxml2 (FoundationXML) are on most systems already.
	@if ! pkg-config --exists zlib 2>/dev/null || ! pkg-config --exists libxml-2.0 2>/dev/null; then \
		echo "installing zlib1g-dev and libxml2-dev (Excel workbooks are ZIP archives of XML)"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq zlib1g-dev libxml2-dev; \
	fi

## The tests also talk to a Python (pyzmq) peer, to show the wire format is plain ZeroMQ, run the hub store
## against a real PostgreSQL server (Debian's postgresql; the tests start and stop their own server on loopback),
## fail the hub's disk with a FUSE file system (fuse, python3-fuse) and put daemons in network namespaces (iproute2,
## nftables; as root, as CI runs).
test-deps: deps
	@if ! /usr/bin/python3 -c "import zmq" 2>/dev/null; then \
		echo "installing python3-zmq (interoperability test peer)"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-zmq; \
	fi
	@if [ ! -x /usr/bin/fusermount ] || ! /usr/bin/python3 -c "import fuse" 2>/dev/null; then \
		echo "installing fuse and python3-fuse (the hub's I/O-error test mounts a failing file system)"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fuse python3-fuse; \
	fi
	@if [ ! -x /usr/sbin/nft ] || [ ! -x /usr/sbin/tc ] || [ ! -x /usr/bin/curl ]; then \
		echo "installing nftables, iproute2 and curl (the network-namespace fault tests)"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nftables iproute2 curl; \
	fi
	@if [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then \
		echo "installing postgresql (the PostgreSQL store's test server)"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; \
	fi

build: deps
	$(SWIFT) build

## Release builds carry the commit they were built from (`knutepunkt --version`; Deploy/build-commit.sh).
RELEASE_FLAGS = $$(bash Deploy/build-commit.sh)

release: deps
	$(SWIFT) build -c release --product knutepunkt $(RELEASE_FLAGS)

## Start a hub and the four Norwegian regional nodes on loopback, publish a year of sample activities,
## print what the hub holds per region, and keep running until Ctrl-C.
run: release
	$(BIN_RELEASE) network --configs Configs/local

## Build everything, check every configuration file, and run the whole test suite.
test: test-deps build lint deploy-check
	$(BIN_DEBUG) keys ensure Configs/local Configs/production
	$(BIN_DEBUG) config check Configs
	$(SWIFT) test

check-configs: build
	$(BIN_DEBUG) keys ensure Configs/local Configs/production
	$(BIN_DEBUG) config check Configs

## House formatting (.swift-format: 4 spaces, 120 columns); `swift format -i -r Sources Tests Benchmarks` fixes it.
lint:
	$(SWIFT) format lint --recursive --strict Sources Tests Benchmarks

## Static checks of Deploy/: the systemd units (systemd-analyze), the Containerfile, compose.yaml and the Kubernetes
## manifests (schemas and cross-references), and the container daemon configurations (knutepunkt config check).
deploy-check:
	bash Deploy/check.sh

## The Debian package for machines without Swift: the release binary with the Swift runtime linked in
## (--static-swift-stdlib), the systemd units, /etc/knutepunkt defaults and maintainer scripts, written to
## $(PACKAGE_SCRATCH)/package/knutepunkt_VERSION_ARCH.deb (Deploy/package.sh; PACKAGE_SCRATCH is swift's scratch path).
PACKAGE_SCRATCH ?= .build
package: deps
	@command -v dpkg-shlibdeps >/dev/null || { $(SUDO) apt-get update -qq && \
		$(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dpkg-dev; }
	SWIFT=$(SWIFT) bash Deploy/package.sh --scratch-path $(PACKAGE_SCRATCH)

## Installs that package in a clean Debian 12 root without Swift (mmdebstrap, cached for 7 days in .build-tools/) and
## checks it: dependencies, --version, config check, the maintainer scripts, install.sh, a message end to end, upgrade,
## remove and purge (Deploy/package-test.sh; needs root).
package-test: package
	$(SUDO) bash Deploy/package-test.sh $(PACKAGE_SCRATCH)/package

clean:
	rm -rf .build $(DATA)

## Run the benchmarks (release build); one JSON object per line, also kept in Benchmarks/results/latest.jsonl.
## Sizes are parameters (environment): BENCH_INGEST_EVENTS (200000), BENCH_CATCHUP_EVENTS (200000),
## BENCH_RSS_EVENTS (200000), BENCH_STATUS_EVENTS (200000), BENCH_EVENTS (counters, 1000000), BENCH_RAW_MESSAGES,
## BENCH_ROUND_TRIPS; and the tuning the ingest runs use: BENCH_HUB_MAX_BATCH (hub.maxBatch), BENCH_NODE_WINDOW
## (node.window).
## Each run also writes Benchmarks/results/DATE.json with the machine, the commit and the durability settings.
## BENCH_PEERS=1 runs `make bench-peers` afterwards, into that same DATE.json, with the ratios.
bench: deps $(if $(filter 1,$(BENCH_PEERS)),peers-bin)
	$(SWIFT) build -c release --product KnutepunktBench $(RELEASE_FLAGS)
	$(SWIFT) build -c release --product knutepunkt $(RELEASE_FLAGS)
	@mkdir -p Benchmarks/results
	.build/release/KnutepunktBench $(BENCH) | tee Benchmarks/results/latest.jsonl
	@if [ "$(BENCH_PEERS)" = 1 ]; then \
		set -o pipefail; BENCH_RESULT_FILE=newest /usr/bin/python3 $(PEERS_DIR)/run-peers.py --bin $(PEERS_BIN) \
			| tee -a Benchmarks/results/latest.jsonl; \
	fi

## How cost grows with the store (docs/performance.md): `KnutepunktBench scale` at SCALE_SIZES on both cores and at
## SCALE_SIZES_ONE_CORE under taskset -c 0, then the table and docs/figures/scale.png (gnuplot). 10^7 events take
## about half an hour and 10 GB of disk.
SCALE_SIZES          ?= 100000,1000000,10000000
SCALE_SIZES_ONE_CORE ?= 100000,1000000
bench-scale: deps
	@command -v gnuplot >/dev/null || { echo "installing gnuplot-nox (the plot of make bench-scale)"; \
		$(SUDO) apt-get install -y gnuplot-nox; }
	$(SWIFT) build -c release --product KnutepunktBench $(RELEASE_FLAGS)
	$(SWIFT) build -c release --product knutepunkt $(RELEASE_FLAGS)
	@mkdir -p Benchmarks/results
	set -o pipefail; BENCH_SCALE_SIZES=$(SCALE_SIZES) .build/release/KnutepunktBench scale \
		| tee Benchmarks/results/scale-latest.jsonl
	set -o pipefail; BENCH_SCALE_SIZES=$(SCALE_SIZES_ONE_CORE) taskset -c 0 .build/release/KnutepunktBench scale \
		| tee -a Benchmarks/results/scale-latest.jsonl
	/usr/bin/python3 Benchmarks/scale-report.py Benchmarks/results/scale-latest.jsonl

## The peers in the same run (Benchmarks/Peers, C drivers built with gcc into .build-peers/): Debian's nats-server
## with JetStream (file store; async publishes with and without Nats-Msg-Id dedupe), Mosquitto (QoS 1, persistence,
## a persistent session that must still hold every message after a restart) and the C ceiling (libzmq DEALER →
## ROUTER, group fdatasync before the ACK, no database), on loopback, with the ingest's payloads, counts and windows
## (BENCH_INGEST_EVENTS, BENCH_NODE_WINDOW, BENCH_HUB_MAX_BATCH; 1 and 4 clients). One JSON line per figure.
## BENCH_RESULT_FILE=newest (or a path) merges them, with ratios to Knutepunkt's ingest, into that
## Benchmarks/results/DATE.json; otherwise they go to Benchmarks/results/peers-DATE.jsonl.
PEERS_CC    ?= gcc
PEERS_FLAGS  = -O2 -Wall -Wextra -std=gnu11
PEERS_DIR    = Benchmarks/Peers
PEERS_BIN    = .build-peers
PEERS_COMMON = $(PEERS_DIR)/common.c $(PEERS_DIR)/common.h

bench-peers: peers-bin
	/usr/bin/python3 $(PEERS_DIR)/run-peers.py --bin $(PEERS_BIN)

peers-bin: peers-deps $(PEERS_BIN)/nats_js $(PEERS_BIN)/mqtt_qos1 $(PEERS_BIN)/zmq_ceiling

peers-deps: deps
	@if [ ! -x /usr/sbin/nats-server ] || [ ! -x /usr/sbin/mosquitto ] || ! pkg-config --exists libmosquitto; then \
		echo "installing nats-server, mosquitto and libmosquitto-dev (the peers of make bench-peers)"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			nats-server mosquitto libmosquitto-dev gcc; \
	fi

$(PEERS_BIN)/nats_js: $(PEERS_DIR)/nats_js.c $(PEERS_COMMON) | peers-deps
	@mkdir -p $(PEERS_BIN)
	$(PEERS_CC) $(PEERS_FLAGS) -o $@ $(PEERS_DIR)/nats_js.c $(PEERS_DIR)/common.c -pthread

$(PEERS_BIN)/mqtt_qos1: $(PEERS_DIR)/mqtt_qos1.c $(PEERS_COMMON) | peers-deps
	@mkdir -p $(PEERS_BIN)
	$(PEERS_CC) $(PEERS_FLAGS) -o $@ $(PEERS_DIR)/mqtt_qos1.c $(PEERS_DIR)/common.c -pthread \
		$$(pkg-config --cflags --libs libmosquitto)

$(PEERS_BIN)/zmq_ceiling: $(PEERS_DIR)/zmq_ceiling.c $(PEERS_COMMON) | peers-deps
	@mkdir -p $(PEERS_BIN)
	$(PEERS_CC) $(PEERS_FLAGS) -o $@ $(PEERS_DIR)/zmq_ceiling.c $(PEERS_DIR)/common.c -pthread \
		$$(pkg-config --cflags --libs libzmq)

## A long fuzz run of the wire decoders and the event parser and validator (the tests run a short one):
## FUZZ_ITERATIONS inputs each, from FUZZ_SEED (printed; the same seed reproduces a run exactly).
FUZZ_ITERATIONS ?= 1000000
FUZZ_SEED       ?= $(shell date +%s)
fuzz: deps
	@echo "fuzzing with $(FUZZ_ITERATIONS) inputs per test, seed $(FUZZ_SEED)"
	KNUTEPUNKT_FUZZ_ITERATIONS=$(FUZZ_ITERATIONS) KNUTEPUNKT_FUZZ_SEED=$(FUZZ_SEED) \
		$(SWIFT) test --filter "WireFuzzTests|EventFuzzTests"

## A long fault-injection run: SOAK_NODES node daemons publish while the hub and the nodes are killed with SIGKILL at
## random for SOAK_SECONDS; prints the lost and duplicated counts (both must be 0). SOAK_SEED reproduces a run.
SOAK_SECONDS ?= 600
SOAK_NODES   ?= 8
SOAK_SEED    ?= $(shell date +%s)
## A compressed national year through the network namespaces (root), long: YEAR_EVENTS events, faults at random
## (YEAR_SEED repeats a run's faults), then an independent check of every outbox against the hub's store.
YEAR_EVENTS ?= 500000
YEAR_SEED   ?=
soak-year: test-deps build
	set -o pipefail; \
	KNUTEPUNKT_YEAR_EVENTS=$(YEAR_EVENTS) KNUTEPUNKT_YEAR_SEED=$(YEAR_SEED) \
		$(SWIFT) test --filter NationalYearTests 2>&1 | grep -E "NATIONAL|FAULT|SKIP|✔|✘|error"

soak: test-deps build
	set -o pipefail; \
	KNUTEPUNKT_SOAK_SECONDS=$(SOAK_SECONDS) KNUTEPUNKT_SOAK_NODES=$(SOAK_NODES) KNUTEPUNKT_SOAK_SEED=$(SOAK_SEED) \
		$(SWIFT) test --filter SoakTests 2>&1 | grep -E "SOAK|FAULT|✔|✘|error"
