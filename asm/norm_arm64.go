//go:build !purego

package asm

// normFor returns the table of level l. The assembly tables are not in yet.
func normFor(l Level) *normKernels { return &normGeneric }
