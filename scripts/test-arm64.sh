#!/usr/bin/env bash
# Builds every package's tests for arm64 and runs them under qemu-aarch64-static,
# so the NEON kernels are tested on an x86 machine.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v qemu-aarch64-static >/dev/null || { echo "qemu-aarch64-static missing: make deps" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
for pkg in $(go list ./...); do
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
