//go:build purego || !(amd64 || arm64)

package asm

// actFor returns the generic table: this build has no assembly.
func actFor(Level) *actKernels { return &actGeneric }
