# loyalty: the nightly loyalty pipeline. `make demo` and `make test` are the two commands a new
# machine needs; every stage has its own target that runs it against the warehouse.

SWIFT      ?= swift
AS_OF      ?= 2026-11-21
PIPELINE   ?= pipelines/demo.yml
BIN        := .build/debug/loyalty
RELEASE    := .build/release/loyalty
STAGE_ARGS ?=

.PHONY: build release demo test bench ingest enrich segment pairs offers publish explain fixtures clean help

help:
	@echo "make demo      build, run two nights of the pipeline on fixtures/demo, print where the outputs are"
	@echo "make test      build and run every test"
	@echo "make bench     release build, then the speed and memory benchmarks (bench/README.md)"
	@echo "make ingest    run one stage (also: enrich, segment, pairs, offers, publish) against the warehouse"
	@echo "               PIPELINE=$(PIPELINE) AS_OF=$(AS_OF) STAGE_ARGS='--input DIR'"
	@echo "make explain CUSTOMER=C000002   why a customer got each offer (and which were dropped)"
	@echo "make fixtures  regenerate fixtures/demo with the generator"
	@echo "make clean     remove builds, outputs and the warehouse"

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release

# A fresh demo warehouse each time, and two nights two weeks apart: the second shows how
# customers moved between segments and what the first night's offers achieved.
DEMO_FIRST ?= 2026-11-07
demo: build
	rm -f var/demo.sqlite var/demo.sqlite-wal var/demo.sqlite-shm
	$(BIN) run --pipeline $(PIPELINE) --as-of $(DEMO_FIRST) $(STAGE_ARGS)
	$(BIN) run --pipeline $(PIPELINE) --as-of $(AS_OF) $(STAGE_ARGS)
	@echo "Demo outputs are in out/$(AS_OF)/ (warehouse: var/demo.sqlite)"
	@echo "Feeds (lines, CSV headers included): $$(for f in out/$(AS_OF)/feeds/*; do printf '%s %s  ' $$(basename $$f) $$(grep -c . $$f); done)"
	@echo "Explain one customer: make explain CUSTOMER=<customer_id>"

test:
	$(SWIFT) build --build-tests
	$(SWIFT) test

bench: release
	bash bench/run.sh

ingest enrich segment pairs offers publish: build
	$(BIN) $@ --pipeline $(PIPELINE) --as-of $(AS_OF) $(STAGE_ARGS)

explain: build
	@test -n "$(CUSTOMER)" || { echo "usage: make explain CUSTOMER=<customer_id>"; exit 2; }
	$(BIN) explain --customer $(CUSTOMER) --pipeline $(PIPELINE) --as-of $(AS_OF)

fixtures: build
	rm -rf fixtures/demo
	$(BIN) generate --out fixtures/demo --bad-rows 9

clean:
	rm -rf .build out var
