//go:build !purego

package asm

// optimFor returns the table of level l. The assembly tables are not in yet.
func optimFor(l Level) *optimKernels { return &optimGeneric }
