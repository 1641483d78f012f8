# nnrt: the two entry points are `make study` (the main job) and `make test`.
GO      ?= go
PKGS    := ./...
# Packages whose tests also run under the race detector (the concurrent ones).
RACE    := ./runtime/... ./blas/... ./nn/... ./bench/...

.PHONY: all study test deps check vet fmt test-amd64 test-avx512 test-avx2 test-amx test-purego test-race test-arm64 build-other peer peer-sgemm peer-torch gen clean

all: test

## study: the main job: nnbench's schedule study (real Fashion-MNIST if found, else the embedded subset),
## resumed where a run of it stopped (a finished study is reported again at once)
study:
	$(GO) run ./cmd/nnbench --resume

## deps: what the tests need on a bare Debian machine (qemu for the arm64 tests)
deps:
	@command -v qemu-aarch64-static >/dev/null || { \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq qemu-user-static; }

## test: everything CI runs
test: deps fmt vet test-amd64 test-avx512 test-avx2 test-amx test-purego test-race test-arm64 build-other

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)
	GOARCH=arm64 $(GO) vet $(PKGS)
	$(GO) vet -tags purego $(PKGS)

test-amd64:
	$(GO) test -count=1 $(PKGS)

## test-avx512: blas's and nn's tests on the FMA kernels alone, where the CPU
## has AMX-INT8 (so that test-amd64 ran image batches of 256 and more
## through the byte products on the tiles)
test-avx512:
	@if grep -qw amx_int8 /proc/cpuinfo 2>/dev/null && grep -qw amx_tile /proc/cpuinfo; then \
		echo "NNRT_ISA=avx512 $(GO) test -count=1 ./blas ./nn"; \
		NNRT_ISA=avx512 $(GO) test -count=1 ./blas ./nn; \
	else echo "test-avx512: no AMX-INT8 here (test-amd64 ran the FMA kernels), skipped"; fi

## test-avx2: blas's and nn's sparse products and nn's batches from bytes on
## the avx2 level, where the CPU also has AVX-512 (so that test-amd64 ran
## them on avx512); asm's tests run every level themselves
test-avx2:
	@if grep -qw avx512f /proc/cpuinfo 2>/dev/null && grep -qw avx2 /proc/cpuinfo; then \
		echo "NNRT_ISA=avx2 $(GO) test -count=1 -run 'Sparse|Gradients|Byte|BatchOrder' ./blas ./nn"; \
		NNRT_ISA=avx2 $(GO) test -count=1 -run "Sparse|Gradients|Byte|BatchOrder" ./blas ./nn; \
	else echo "test-avx2: the default level is not avx512 here, skipped"; fi

## test-amx: the opt-in amx level (NNRT_ISA=amx: float32 products on the
## bfloat16 tiles too), where the CPU has AMX-BF16
test-amx:
	@if grep -qw amx_bf16 /proc/cpuinfo 2>/dev/null && grep -qw amx_tile /proc/cpuinfo; then \
		echo "NNRT_ISA=amx $(GO) test -count=1 ./asm ./blas ./nn"; \
		NNRT_ISA=amx $(GO) test -count=1 ./asm ./blas ./nn; \
	else echo "test-amx: no AMX-BF16 on this CPU, skipped"; fi

test-purego:
	$(GO) test -count=1 -tags purego $(PKGS)

test-race:
	$(GO) test -count=1 -race -short $(RACE)

## test-arm64: cross-compiled test binaries run under qemu-aarch64-static (NEON level)
test-arm64:
	./scripts/test-arm64.sh

build-other:
	GOARCH=386 $(GO) build $(PKGS)
	GOARCH=riscv64 $(GO) build $(PKGS)

## peer: OpenBLAS / gonum / PyTorch side-by-side benchmarks (a module of its own, cgo)
peer: peer-sgemm peer-torch
peer-sgemm:
	$(MAKE) -C bench/peer deps sgemm
peer-torch:
	$(MAKE) -C bench/peer deps torch

## gen: regenerate the avo-generated x86 assembly
gen:
	cd asm && $(GO) generate ./...

clean:
	rm -rf nnbench-out
