//go:build !purego

package asm

// actFor returns the table of level l.
func actFor(l Level) *actKernels {
	return &actGeneric
}
