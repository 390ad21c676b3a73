# tradecore: `make` builds, `make check` tests (plain, then ASan+UBSan),
# `make demo` runs the main job, `make bench` prints the benchmark table,
# `make fuzz` runs each libFuzzer target FUZZ_SECONDS seconds (clang),
# `make install` honours PREFIX and DESTDIR.
# `make soak` runs the daemon SOAK_SECONDS (300) under signals, bars and random
# SIGKILLs; `make check-valgrind` runs the `make check` suite under memcheck
# (docs/RELIABILITY.md).
PREFIX ?= /usr/local
BUILD ?= build
ASAN_BUILD ?= build-asan
BENCH_BUILD ?= build-bench
FUZZ_BUILD ?= build-libfuzzer
FUZZ_SECONDS ?= 60
VALGRIND_BUILD ?= build-valgrind
SOAK_SECONDS ?= 300
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE ?= cmake
CTEST ?= ctest

.PHONY: all deps build check test test-asan demo bench fuzz install clean soak check-valgrind

all: build

deps:
	@sh scripts/deps.sh

$(BUILD)/CMakeCache.txt: | deps
	$(CMAKE) -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=$(PREFIX)

build: deps $(BUILD)/CMakeCache.txt
	$(CMAKE) --build $(BUILD) -j $(JOBS)

test: build
	$(CTEST) --test-dir $(BUILD) --output-on-failure -j $(JOBS)

$(ASAN_BUILD)/CMakeCache.txt: | deps
	$(CMAKE) -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DTC_SANITIZE=ON -DTC_BUILD_BENCH=OFF

test-asan: deps $(ASAN_BUILD)/CMakeCache.txt
	$(CMAKE) --build $(ASAN_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    $(CTEST) --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS)

check: test test-asan

demo: build
	@sh scripts/demo.sh $(BUILD)/tradecore

$(BENCH_BUILD)/CMakeCache.txt: | deps
	$(CMAKE) -S . -B $(BENCH_BUILD) -DCMAKE_BUILD_TYPE=Release -DTC_BUILD_TESTS=OFF

bench: deps $(BENCH_BUILD)/CMakeCache.txt
	$(CMAKE) --build $(BENCH_BUILD) -j $(JOBS)
	@sh scripts/bench.sh $(BENCH_BUILD)

$(FUZZ_BUILD)/CMakeCache.txt: | deps
	$(CMAKE) -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    -DTC_FUZZ=ON -DTC_BUILD_TESTS=OFF -DTC_BUILD_BENCH=OFF

fuzz: deps $(FUZZ_BUILD)/CMakeCache.txt
	$(CMAKE) --build $(FUZZ_BUILD) --target fuzz_all -j $(JOBS)
	@sh fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

soak: deps $(BUILD)/CMakeCache.txt
	$(CMAKE) --build $(BUILD) --target tradecore -j $(JOBS)
	SOAK_SECONDS=$(SOAK_SECONDS) bash tools/soak/run.sh $(BUILD)/tradecore $(BUILD)/soak

$(VALGRIND_BUILD)/CMakeCache.txt: | deps
	$(CMAKE) -S . -B $(VALGRIND_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTC_BUILD_BENCH=OFF \
	    -DCMAKE_CROSSCOMPILING_EMULATOR=$(CURDIR)/tests/valgrind/vg.sh \
	    -DTC_VALGRIND_WRAPPER=$(CURDIR)/tests/valgrind/tradecore.sh

check-valgrind: deps $(VALGRIND_BUILD)/CMakeCache.txt
	$(CMAKE) --build $(VALGRIND_BUILD) -j $(JOBS)
	$(CTEST) --test-dir $(VALGRIND_BUILD) --output-on-failure -j $(JOBS)

install: build
	DESTDIR=$(DESTDIR) $(CMAKE) --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(BENCH_BUILD) $(FUZZ_BUILD) $(VALGRIND_BUILD)
