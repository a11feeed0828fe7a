# Parley — one command to run it, one to test it. Both install what they need first.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
# Deployment tools the tests use, built once from the Go module proxy into .tools/.
# A stamp per pinned version: changing a version rebuilds, anything else is a no-op.
COMPOSE_VERSION := v2.29.7
HELM_VERSION := v3.16.4
# The Kubernetes version helm assumes without a cluster (its client-go is v0.31 = 1.31),
# set the way helm's own release build does.
HELM_KUBE_MINOR := 31
HELM_PKG := helm.sh/helm/v3
HELM_LDFLAGS := -X $(HELM_PKG)/internal/version.version=$(HELM_VERSION) \
	-X $(HELM_PKG)/pkg/chartutil.k8sVersionMajor=1 -X $(HELM_PKG)/pkg/chartutil.k8sVersionMinor=$(HELM_KUBE_MINOR) \
	-X $(HELM_PKG)/pkg/lint/rules.k8sVersionMajor=1 -X $(HELM_PKG)/pkg/lint/rules.k8sVersionMinor=$(HELM_KUBE_MINOR)
COMPOSE_STAMP := .tools/stamps/docker-compose-$(COMPOSE_VERSION)
HELM_STAMP := .tools/stamps/helm-$(HELM_VERSION)-k1.$(HELM_KUBE_MINOR)
# Schemas of the optional custom resources the chart renders, from the operators' Go modules.
KEDA_VERSION := v2.16.1
PROMETHEUS_OPERATOR_VERSION := v0.78.2
CRD_DIR := .tools/crds
CRD_STAMP := .tools/stamps/crds-keda-$(KEDA_VERSION)-prometheus-operator-$(PROMETHEUS_OPERATOR_VERSION)
GO_MODULE_DIR = go mod download -json $(1) | sed -n 's/^\t"Dir": "\(.*\)",$$/\1/p'
GO_REQUIRED = @command -v go >/dev/null || { echo "the deployment tests need Go >= 1.22 to build helm and docker compose (https://go.dev/dl, or apt-get install golang-go on Debian 13+)" >&2; exit 1; }

.PHONY: install install-stack run test test-unit lint typecheck format bench soak chaos clean deploy-tools

$(UV):
	@echo "==> installing uv $(UV_VERSION) into .tools/"
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(BIN)/.synced: $(UV) pyproject.toml uv.lock $(wildcard libs/*/pyproject.toml services/*/pyproject.toml)
	@echo "==> installing Python dependencies into .venv/ (uv sync)"
	$(UV) sync --frozen --python 3.11
	@touch $@

## install: Python deps, Redis, PostgreSQL, the Kafka broker jars, helm and docker compose (idempotent)
install: install-stack deploy-tools

install-stack: $(BIN)/.synced
	$(BIN)/parley-stack install

## run: Kafka, Redis, PostgreSQL and all six services in the foreground; Ctrl-C stops all.
## Their data (.stack/infra) is kept from one run to the next; CLEAN=1 starts empty.
run: install-stack
	$(BIN)/parley-stack run $(if $(CLEAN),--clean)

$(COMPOSE_STAMP):
	$(GO_REQUIRED)
	@echo "==> building the docker compose CLI plugin $(COMPOSE_VERSION) with go (once)"
	GOBIN=$(CURDIR)/.tools/gobin go install github.com/docker/compose/v2/cmd@$(COMPOSE_VERSION)
	mkdir -p .tools/docker/cli-plugins .tools/stamps
	cp .tools/gobin/cmd .tools/docker/cli-plugins/docker-compose
	@touch $@

$(HELM_STAMP):
	$(GO_REQUIRED)
	@echo "==> building helm $(HELM_VERSION) with go (once)"
	GOBIN=$(CURDIR)/.tools/bin go install -ldflags "$(HELM_LDFLAGS)" $(HELM_PKG)/cmd/helm@$(HELM_VERSION)
	mkdir -p .tools/stamps
	@touch $@

$(CRD_STAMP):
	$(GO_REQUIRED)
	@echo "==> fetching the KEDA and Prometheus Operator resource schemas (once)"
	mkdir -p $(CRD_DIR) .tools/stamps
	install -m 0644 "$$($(call GO_MODULE_DIR,github.com/kedacore/keda/v2@$(KEDA_VERSION)))/config/crd/bases/keda.sh_scaledobjects.yaml" $(CRD_DIR)/
	install -m 0644 "$$($(call GO_MODULE_DIR,github.com/prometheus-operator/prometheus-operator@$(PROMETHEUS_OPERATOR_VERSION)))/example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml" $(CRD_DIR)/
	@touch $@

## deploy-tools: docker compose plugin, helm and resource schemas for the deployment tests (built once, cached)
deploy-tools: $(COMPOSE_STAMP) $(HELM_STAMP) $(CRD_STAMP)

## test: lint, type checks, then the whole suite against a real local Kafka, Redis and PostgreSQL
test: install lint typecheck
	$(BIN)/pytest -q

## bench: the benchmark suite with the real services (not part of `make test`, ~15 min on
## 2 cores): turn latency, transport overhead, capacity of one edge, speech engines;
## JSON, Markdown and PNG plots in bench/results/, summed up in bench/results/<date>.md
bench: install
	$(BIN)/python bench/turn_latency.py --calls 10 --turns 5
	$(BIN)/python bench/llm_turn_latency.py --calls 2 --turns 3
	$(BIN)/python bench/transport_overhead.py --turns 20
	$(BIN)/python bench/capacity.py --streams 25 50 100 150 200 250 300
	$(BIN)/python bench/speech_latency.py --rounds 5
	$(BIN)/python bench/summary.py

## soak: steady calls through the whole system for SOAK_MINUTES (default 30); memory slope
## per service and lost turns, in bench/results/soak-<date>.*; fails if a turn was lost
SOAK_MINUTES ?= 30
soak: install
	$(BIN)/python bench/soak.py --minutes $(SOAK_MINUTES); status=$$?; \
	$(BIN)/python bench/summary.py; exit $$status

## chaos: the chaos tests (a worker, the Kafka broker, Redis or the agent fails mid-call;
## ~5 min); what the caller heard, what was lost and recovery times in bench/results/chaos-<date>.md
chaos: install-stack
	$(BIN)/python bench/chaos_report.py

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

## clean: remove everything make installed or ran: .venv, .tools and .stack (the local data too)
clean:
	rm -rf .venv .tools .stack
