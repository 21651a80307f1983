# The two commands of the README: `make run` and `make test`. Everything else
# is for developers.
.PHONY: run build test test-build format lint config-docs bootstrap clean

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

clean:
	rm -rf $(BUILD_DIR) $(TEST_BUILD_DIR)
