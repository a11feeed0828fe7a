# Parley — one command to run it, one to test it. Both install what they need first.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
# Deployment tools the tests use, built once from the Go module proxy into .tools/.
COMPOSE_VERSION := v2.29.7
HELM_VERSION := v3.16.4
COMPOSE_PLUGIN := .tools/docker/cli-plugins/docker-compose
HELM := .tools/bin/helm

.PHONY: install run test test-unit lint typecheck format bench clean deploy-tools

$(UV):
	@echo "==> installing uv $(UV_VERSION) into .tools/"
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(BIN)/.synced: $(UV) pyproject.toml uv.lock $(wildcard libs/*/pyproject.toml services/*/pyproject.toml)
	@echo "==> installing Python dependencies into .venv/ (uv sync)"
	$(UV) sync --frozen --python 3.11
	@touch $@

## install: Python deps, Redis, PostgreSQL and the Kafka broker jars (idempotent)
install: $(BIN)/.synced
	$(BIN)/parley-stack install

## run: Kafka, Redis, PostgreSQL and all six services in the foreground; Ctrl-C stops all
run: install
	$(BIN)/parley-stack run

$(COMPOSE_PLUGIN):
	@echo "==> building the docker compose CLI plugin $(COMPOSE_VERSION) with go (once, ~2 min)"
	GOBIN=$(CURDIR)/.tools/gobin go install github.com/docker/compose/v2/cmd@$(COMPOSE_VERSION)
	mkdir -p $(@D) && cp .tools/gobin/cmd $@

$(HELM):
	@echo "==> building helm $(HELM_VERSION) with go (once, a few minutes)"
	GOBIN=$(CURDIR)/.tools/bin go install helm.sh/helm/v3/cmd/helm@$(HELM_VERSION)

## deploy-tools: docker compose plugin and helm, for the deployment tests
deploy-tools: $(COMPOSE_PLUGIN) $(HELM)

## test: the whole suite against a real local Kafka, Redis and PostgreSQL
test: install deploy-tools
	$(BIN)/pytest -q

## bench: measured numbers with the real services (not part of `make test`); results in bench/results/
bench: install
	$(BIN)/python bench/turn_latency.py --calls 5 --turns 5

test-unit: $(BIN)/.synced
	$(BIN)/pytest -q tests/unit

lint: $(BIN)/.synced
	$(BIN)/ruff check libs services tests bench
	$(BIN)/ruff format --check libs services tests bench

typecheck: $(BIN)/.synced
	$(BIN)/mypy --strict $(wildcard libs/*/src) $(wildcard services/*/src)

format: $(BIN)/.synced
	$(BIN)/ruff format libs services tests
	$(BIN)/ruff check --fix libs services tests

clean:
	rm -rf .venv .tools .stack
