# The two commands of the README: `make run` and `make test`. Everything else
# is for developers.
.PHONY: run build test test-build format lint config-docs bootstrap clean fuzz

JOBS ?= $(shell nproc)
BUILD_DIR ?= build
TEST_BUILD_DIR ?= build-test
DATA_DIR ?= ./data
CMAKE_COMMON = -G Ninja -DCMAKE_EXPORT_COMPILE_COMMANDS=ON

bootstrap:
	@scripts/bootstrap

build: bootstrap
	@cmake -S . -B $(BUILD_DIR) $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Release \
	  -DMAYAK_BUILD_TESTS=OFF >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	@$(BUILD_DIR)/mayak server --data-dir $(DATA_DIR)

test-build: bootstrap
	@cmake -S . -B $(TEST_BUILD_DIR) $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Debug \
	  -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" -DMAYAK_SANITIZE=ON >/dev/null
	@cmake --build $(TEST_BUILD_DIR) -j $(JOBS)

test: test-build
	@cd $(TEST_BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

lint: test-build
	@git ls-files 'src/*.cc' 'app/*.cc' | grep -v '_test\.cc$$' | \
	  xargs clang-tidy -p $(TEST_BUILD_DIR) --quiet

# Regenerates the example configuration and its reference from the option
# declarations in src/common/config_options.cc (a test checks they agree).
config-docs: build
	@$(BUILD_DIR)/mayak config example > config/mayak.example.yaml
	@$(BUILD_DIR)/mayak config reference > docs/configuration.md

# Open-ended fuzzing with libFuzzer (clang, which bootstrap installs): every
# target in fuzz/ for FUZZ_SECONDS each, from its seeds; new inputs that
# reach new code are kept in build-fuzz/corpus/<target>/, failures are saved
# as build-fuzz/crash-*. `make test` runs the same targets briefly.
FUZZ_BUILD_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS = agent_lines_fuzz body_encoding_fuzz bulk_fuzz column_chunk_fuzz config_fuzz ndjson_fuzz query_fuzz \
	otlp_fuzz record_batch_fuzz redaction_fuzz syslog_fuzz wal_fuzz zipkin_fuzz
fuzz:
	@scripts/bootstrap clang libclang-rt-14-dev
	@CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD_DIR) $(CMAKE_COMMON) \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMAYAK_SANITIZE=ON -DMAYAK_LIBFUZZER=ON \
	  -DMAYAK_BUILD_TESTS=OFF >/dev/null
	@cmake --build $(FUZZ_BUILD_DIR) -j $(JOBS) --target mayak_fuzz_seeds $(FUZZ_TARGETS)
	@$(FUZZ_BUILD_DIR)/fuzz/mayak_fuzz_seeds $(FUZZ_BUILD_DIR)/seeds
	@set -e; cd $(FUZZ_BUILD_DIR); for t in $(FUZZ_TARGETS); do \
	  mkdir -p corpus/$$t; echo "fuzz: $$t for $(FUZZ_SECONDS)s"; \
	  fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 corpus/$$t \
	    $$(ls -d seeds/$$t ../fuzz/corpus/$$t 2>/dev/null); done

clean:
	rm -rf $(BUILD_DIR) $(TEST_BUILD_DIR) $(FUZZ_BUILD_DIR)
