# Two commands for a fresh machine:
#   make run   - install, fetch the local model, tune the embedder, ingest the bundled reports, start the assistant
#   make test  - install with test dependencies and run the whole test suite
.PHONY: run test setup setup-test ingest eval gate

R2P := .venv/bin/r2p
MODEL ?= local

setup:
	scripts/setup.sh

setup-test:
	scripts/setup.sh
	scripts/install-browser.sh
	$(R2P) models install local-fast

ingest: setup
	$(R2P) tune
	$(R2P) ingest

run: setup
	$(R2P) models install $(MODEL)
	$(R2P) tune
	$(R2P) ingest
	$(R2P) ui

test: setup-test
	.venv/bin/python -m pytest

# The regression gate CI runs: extractive model, dev set, committed baseline. It runs on the
# packaged MiniLM, the same weights on every machine; the tuned embedder is trained on each
# machine and its last digits vary with the CPU (its figures are in the README).
gate: export R2P_EMBEDDING_MODEL = sentence-transformers/all-MiniLM-L6-v2
gate:
	$(R2P) ingest -q
	$(R2P) eval evals/data/dev.jsonl --model extractive --against evals/baseline.json --markdown eval-report/dev-extractive.md

eval: setup
	$(R2P) tune -q
	$(R2P) ingest -q
	$(R2P) eval evals/data/dev.jsonl --model $(MODEL) --json eval-report/dev-$(MODEL).json --markdown eval-report/dev-$(MODEL).md
