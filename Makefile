# mesaflow: `make demo` serves the site, `make test` runs every test. Both set up what is missing.
PORT ?= 8080
JOBS ?= 2
EMENV := NODE_PATH=/usr/share/nodejs
NATIVE := build/native
WASM := build/wasm
WASM_SCALAR := build/wasm-scalar
ASAN := build/asan
FUZZ := build/fuzz
FUZZ_SECONDS ?= 60

.PHONY: demo test setup native wasm wasm-scalar site package typecheck test-native test-sanitize fuzz-short test-node test-package test-browser bench clean

demo: setup site
	node site/serve.mjs

test: setup native wasm site package typecheck test-native test-sanitize fuzz-short test-node test-browser

setup:
	@bash .ci/setup.sh

native:
	cmake -S . -B $(NATIVE) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(NATIVE) -j$(JOBS)

wasm:
	$(EMENV) emcmake cmake -S . -B $(WASM) -DCMAKE_BUILD_TYPE=Release \
	  -DEigen3_DIR=/usr/share/eigen3/cmake -DCMAKE_FIND_ROOT_PATH_MODE_PACKAGE=BOTH
	$(EMENV) cmake --build $(WASM) -j$(JOBS)

# The same module without -msimd128: the node tests check it gives the same numbers, and
# bench/wasm_epoch.mjs compares its speed.
wasm-scalar:
	$(EMENV) emcmake cmake -S . -B $(WASM_SCALAR) -DCMAKE_BUILD_TYPE=Release -DMESAFLOW_WASM_SIMD=OFF -DMESAFLOW_BUILD_TESTS=OFF \
	  -DEigen3_DIR=/usr/share/eigen3/cmake -DCMAKE_FIND_ROOT_PATH_MODE_PACKAGE=BOTH
	$(EMENV) cmake --build $(WASM_SCALAR) -j$(JOBS)

site: wasm
	node site/build.mjs

# The npm package of the element (build/package/, packed into build/package/mesaflow-<version>.tgz).
package: site
	node site/package.mjs

# The page's JavaScript checked against the published .d.ts files (TypeScript's tsc --checkJs).
typecheck: site
	node site/typecheck.mjs

test-native: native
	cd $(NATIVE) && ctest -j$(JOBS) --output-on-failure

# The native suite again with AddressSanitizer and UndefinedBehaviorSanitizer; any finding fails.
test-sanitize:
	cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DMESAFLOW_BUILD_BENCHMARKS=OFF \
	  -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
	cmake --build $(ASAN) -j$(JOBS)
	cd $(ASAN) && ctest -j$(JOBS) --output-on-failure

# Each libFuzzer target for FUZZ_SECONDS, JOBS at a time, from a copy of its seed corpus in
# tests/fuzz/corpus (crashes go to $(FUZZ)/artifacts). See tests/fuzz/README.md for longer runs.
fuzz-short:
	cmake -S . -B $(FUZZ) -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMESAFLOW_BUILD_FUZZERS=ON \
	  -DMESAFLOW_BUILD_TESTS=OFF -DMESAFLOW_BUILD_BENCHMARKS=OFF -DMESAFLOW_BUILD_CLI=OFF
	cmake --build $(FUZZ) -j$(JOBS)
	bash tests/fuzz/run.sh $(FUZZ) $(FUZZ_SECONDS) $(JOBS)

test-node: native wasm wasm-scalar
	node --test tests/node/

# The browser suite, with the package's: installed from the tarball, same and cross origin, CSP.
test-browser: native site package
	node --test tests/browser/

# The package's browser tests alone (also part of test-browser).
test-package: native package
	node --test tests/browser/package.test.mjs

bench: native
	$(NATIVE)/bench/mesaflow_bench --benchmark_filter=BM_Epoch

clean:
	rm -rf build
