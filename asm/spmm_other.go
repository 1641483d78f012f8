//go:build purego || !amd64

package asm

// sparseFor returns the generic table: the family has assembly on amd64
// only (on NEON a dense product is faster than the Go loops).
func sparseFor(Level) *sparseKernels { return &sparseGeneric }
