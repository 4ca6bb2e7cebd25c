# mesaflow: `make demo` serves the site, `make test` runs every test. Both set up what is missing.
PORT ?= 8080
JOBS ?= 2
EMENV := NODE_PATH=/usr/share/nodejs
NATIVE := build/native
WASM := build/wasm

.PHONY: demo test setup native wasm site test-native test-node test-browser bench clean

demo: setup site
	node site/serve.mjs

test: setup native wasm site test-native test-node test-browser

setup:
	@bash .ci/setup.sh

native:
	cmake -S . -B $(NATIVE) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(NATIVE) -j$(JOBS)

wasm:
	$(EMENV) emcmake cmake -S . -B $(WASM) -DCMAKE_BUILD_TYPE=Release \
	  -DEigen3_DIR=/usr/share/eigen3/cmake -DCMAKE_FIND_ROOT_PATH_MODE_PACKAGE=BOTH
	$(EMENV) cmake --build $(WASM) -j$(JOBS)

site: wasm
	node site/build.mjs

test-native: native
	cd $(NATIVE) && ctest -j$(JOBS) --output-on-failure

test-node: native wasm
	node --test tests/node/

test-browser: site
	node --test tests/browser/

bench: native
	$(NATIVE)/bench/mesaflow_bench --benchmark_filter=BM_Epoch

clean:
	rm -rf build
