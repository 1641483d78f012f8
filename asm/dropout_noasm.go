//go:build purego || !(amd64 || arm64)

package asm

// dropoutFor returns the generic table: this build has no assembly.
func dropoutFor(Level) *dropoutKernels { return &dropoutGeneric }
