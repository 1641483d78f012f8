//go:build !purego

package asm

// vecFor returns the table of level l. The assembly tables are not in yet.
func vecFor(l Level) *vecKernels { return &vecGeneric }
