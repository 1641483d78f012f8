//go:build !purego

package asm

// dropoutFor returns the table of level l. The assembly tables are not in yet.
func dropoutFor(l Level) *dropoutKernels { return &dropoutGeneric }
