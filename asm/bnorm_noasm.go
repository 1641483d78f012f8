//go:build purego || !(amd64 || arm64)

package asm

// bnormFor returns the generic table: this build has no assembly.
func bnormFor(Level) *bnormKernels { return &bnormGeneric }
