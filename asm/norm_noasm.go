//go:build purego || !(amd64 || arm64)

package asm

// normFor returns the generic table: this build has no assembly.
func normFor(Level) *normKernels { return &normGeneric }
