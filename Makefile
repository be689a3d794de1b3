# Ward's front door: a thin wrapper over scripts/ (Meson + Ninja underneath).
#
#   make build   configure and compile build/ (gcc, debugoptimized)
#   make test    deps + build/ and build-asan/ (ASan+UBSan) + unit, integration
#                and fuzz suites in both; ends with "N passed, N failed"
#   make fuzz    every fuzz target for FUZZ_SECONDS (60) in build-asan/
#   make lint    clang-format, clang-tidy, cppcheck, banned functions
#   make run     deps + release build + a dev server on https://127.0.0.1:8200
#   make bench   bench/run.sh, when it exists
#   make clean   remove the build directories
FUZZ_SECONDS ?= 60

.PHONY: all deps build test fuzz lint run bench clean

all: build

deps:
	@scripts/deps.sh

build: deps
	@scripts/test.sh build

test:
	@scripts/test.sh

fuzz: deps
	@scripts/test.sh fuzz $(FUZZ_SECONDS)

lint: deps
	@scripts/lint.sh

run:
	@scripts/run.sh

bench: build
	@if [ -x bench/run.sh ]; then bench/run.sh; \
	elif [ -f bench/run.sh ]; then bash bench/run.sh; \
	else echo "make bench: no bench/run.sh yet"; fi

clean:
	rm -rf build build-asan build-release
