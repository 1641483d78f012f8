//go:build purego || !amd64

package asm

// decodeFor returns the generic table: the family has assembly on amd64
// only.
func decodeFor(Level) *decodeKernels { return &decodeGeneric }
