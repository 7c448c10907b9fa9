# loyalty: the nightly loyalty pipeline. `make demo` and `make test` are the two commands a new
# machine needs; every stage has its own target that runs it against the warehouse.

SWIFT      ?= swift
AS_OF      ?= 2026-11-21
PIPELINE   ?= pipelines/demo.yml
BIN        := .build/debug/loyalty
RELEASE    := .build/release/loyalty
STAGE_ARGS ?=
CHROMIUM   ?= $(shell command -v chromium || command -v chromium-browser)
# The screenshot is one window this tall (headless Chromium has no full-page capture); the demo
# report is about 4,500 px long, 4,800 with a migration matrix.
SHOT_HEIGHT ?= 6400

.PHONY: build release demo test test-spark spark-env bench bench-spark ingest enrich segment pairs offers publish backtest explain report-screenshot fixtures clean help

help:
	@echo "make demo      build, run two nights of the pipeline on fixtures/demo (a backtest between), print where the outputs are"
	@echo "make test      build and run every test"
	@echo "make bench     release build, then the speed and memory benchmarks (bench/README.md)"
	@echo "make spark-env a virtual environment .venv-spark with the pinned pyspark, for engine: spark (docs/scale-out.md)"
	@echo "make test-spark  both engines night by night on the demo and a generated delivery: outputs equal byte for byte"
	@echo "make bench-spark  ingest under engine: sqlite and engine: spark at 1M and 10M lines, and the driver's bytes per customer (docs/scale-out.md)"
	@echo "make ingest    run one stage (also: enrich, segment, pairs, offers, publish) against the warehouse"
	@echo "               PIPELINE=$(PIPELINE) AS_OF=$(AS_OF) STAGE_ARGS='--input DIR'"
	@echo "make backtest  the offers of BACKTEST_AS_OF scored against the next HORIZON_DAYS days' purchases (docs/offers.md)"
	@echo "make explain CUSTOMER=C000002   why a customer got each offer (and which were dropped)"
	@echo "make report-screenshot  render out/AS_OF/report.html to out/AS_OF/report.png with headless chromium"
	@echo "make fixtures  regenerate fixtures/demo with the generator"
	@echo "make clean     remove builds, outputs and the warehouse"

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release

# A fresh demo warehouse each time, and two nights two weeks apart: the second shows how
# customers moved between segments and what the first night's offers achieved. Between them a
# backtest of the offers of BACKTEST_AS_OF over HORIZON_DAYS, which the second night's report shows.
DEMO_FIRST ?= 2026-11-07
BACKTEST_AS_OF ?= 2026-10-22
HORIZON_DAYS   ?= 14
demo: build
	rm -f var/demo.sqlite var/demo.sqlite-wal var/demo.sqlite-shm
	$(BIN) run --pipeline $(PIPELINE) --as-of $(DEMO_FIRST) $(STAGE_ARGS)
	$(BIN) backtest --pipeline $(PIPELINE) --as-of $(BACKTEST_AS_OF) --horizon-days $(HORIZON_DAYS) --out out/backtest-$(BACKTEST_AS_OF)-$(HORIZON_DAYS)d
	$(BIN) run --pipeline $(PIPELINE) --as-of $(AS_OF) $(STAGE_ARGS)
	@echo "Demo outputs are in out/$(AS_OF)/ (warehouse: var/demo.sqlite)"
	@echo "Feeds (lines, CSV headers included): $$(for f in out/$(AS_OF)/feeds/*; do printf '%s %s  ' $$(basename $$f) $$(grep -c . $$f); done)"
	@echo "Explain one customer: make explain CUSTOMER=<customer_id>"
	@echo "HTML report: out/$(AS_OF)/report.html"

test:
	$(SWIFT) build --build-tests
	$(SWIFT) test

# engine: spark runs spark-submit from here unless spark.submit names another; Spark needs Java 17.
PYSPARK_VERSION := 4.3.0
spark-env: .venv-spark/bin/spark-submit
.venv-spark/bin/spark-submit:
	python3 -m venv .venv-spark
	.venv-spark/bin/pip install --quiet pyspark==$(PYSPARK_VERSION)

test-spark: build spark-env
	bash spark/parity.sh

bench: release
	bash bench/run.sh

bench-spark: release spark-env
	bash bench/spark.sh

ingest enrich segment pairs offers publish: build
	$(BIN) $@ --pipeline $(PIPELINE) --as-of $(AS_OF) $(STAGE_ARGS)

backtest: build
	$(BIN) backtest --pipeline $(PIPELINE) --as-of $(BACKTEST_AS_OF) --horizon-days $(HORIZON_DAYS) --out out/backtest-$(BACKTEST_AS_OF)-$(HORIZON_DAYS)d $(STAGE_ARGS)

explain: build
	@test -n "$(CUSTOMER)" || { echo "usage: make explain CUSTOMER=<customer_id>"; exit 2; }
	$(BIN) explain --customer $(CUSTOMER) --pipeline $(PIPELINE) --as-of $(AS_OF)

report-screenshot:
	@test -f out/$(AS_OF)/report.html || { echo "no out/$(AS_OF)/report.html: run make demo (or make publish) first"; exit 2; }
	@test -n "$(CHROMIUM)" || { echo "chromium is not installed (apt-get install chromium)"; exit 2; }
	$(CHROMIUM) --headless --no-sandbox --disable-gpu --hide-scrollbars --log-level=3 --window-size=1280,$(SHOT_HEIGHT) \
		--screenshot=$(abspath out/$(AS_OF))/report.png file://$(abspath out/$(AS_OF))/report.html
	@echo "Screenshot: out/$(AS_OF)/report.png"

fixtures: build
	rm -rf fixtures/demo
	$(BIN) generate --out fixtures/demo --bad-rows 9 --bad-addresses 4 --suppressions 1

clean:
	rm -rf .build out var
