#!/usr/bin/env bash
# Builds every package's tests for arm64 and runs them under qemu-aarch64-static,
# so the NEON kernels are tested on an x86 machine. Usage: test-arm64.sh [packages]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v qemu-aarch64-static >/dev/null || { echo "qemu-aarch64-static missing: make deps" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
# The packages with architecture-specific code, and the ones whose numerics
# run on it. The CLI and study packages are plain Go over these and take
# many minutes under emulation; pass "./..." as arguments to run them too.
pkgs=${*:-./asm ./blas ./runtime ./reg ./sched ./nn ./bench/dataset}
for pkg in $(go list $pkgs); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  ls "$dir"/*_test.go >/dev/null 2>&1 || continue
  bin="$tmp/$(echo "$pkg" | tr / _).test"
  GOARCH=arm64 go test -c -o "$bin" "$pkg"
  # Tests read testdata relative to their package folder, as go test runs them.
  if (cd "$dir" && qemu-aarch64-static "$bin" -test.short -test.count=1 >"$bin.log" 2>&1); then
    echo "ok   $pkg (arm64/qemu)"
  else
    echo "FAIL $pkg (arm64/qemu)"; cat "$bin.log"; fail=1
  fi
done
exit $fail
