//go:build purego || !(amd64 || arm64)

package asm

// vecFor returns the generic table: this build has no assembly.
func vecFor(Level) *vecKernels { return &vecGeneric }
