# Two commands set everything up on a fresh machine:
#   make demo   compile the bundled example model to Verilog and co-simulate it in Verilator
#   make test   run the whole test suite (lit/filecheck + pytest, Verilator co-simulation included)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lit pytest clean chromium eda

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,gui]'
	touch $(STAMP)

demo: $(STAMP)
	mkdir -p out
	$(BIN)/lowbitc examples/digits_bnn_w1a1.onnx -o out/digits.v
	$(BIN)/lowbitc run examples/digits_bnn_w1a1.onnx -i examples/digits_test_in.npy -o out/digits_run.npy
	$(BIN)/lowbitc sim examples/digits_bnn_w1a1.onnx -i examples/digits_test_in.npy -o out/digits_sim.npy --stall 0.3 --stats out/digits_stats.json
	$(BIN)/python examples/compare.py out/digits_run.npy out/digits_sim.npy examples/digits_test_labels.npy out/digits_stats.json

# The HTML report test renders the page in headless Chromium (Debian package; needs root).
chromium:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
	  echo "make: install Chromium (apt-get install chromium) for the HTML report test" >&2

# Synthesis and place-and-route tests run Yosys and nextpnr-ice40 (Debian packages; need root).
eda:
	@command -v yosys >/dev/null && command -v nextpnr-ice40 >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq yosys nextpnr-ice40 >/dev/null; } || \
	  echo "make: install Yosys and nextpnr-ice40 (apt-get install yosys nextpnr-ice40) for the synthesis tests" >&2

test: $(STAMP) chromium eda
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/lit -v tests/filecheck
	$(BIN)/pytest -q -n auto --dist loadfile tests

clean:
	rm -rf out build *.egg-info
