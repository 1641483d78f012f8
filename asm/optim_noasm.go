//go:build purego || !(amd64 || arm64)

package asm

// optimFor returns the generic table: this build has no assembly.
func optimFor(Level) *optimKernels { return &optimGeneric }
