# The two commands: `make run` and `make test`. Both set everything up first.
.PHONY: run scan test setup setup-test bench

run: setup
	.venv/bin/trustwatch serve

# Exit code 3 means some lines went to the rejects file, which the example has on purpose.
scan: setup
	.venv/bin/trustwatch scan examples/marketplace.jsonl -o out/verdicts.jsonl --rejects out/rejects.jsonl || [ $$? -eq 3 ]

test: setup-test
	.venv/bin/ruff check src tests bench
	.venv/bin/mypy
	.venv/bin/trustwatch policy validate
	.venv/bin/trustwatch policy test
	.venv/bin/python -m pytest -q

setup:
	@bash scripts/setup.sh

setup-test:
	@bash scripts/setup.sh --test

bench: setup-test
	.venv/bin/python -m bench
