//go:build purego || !(amd64 || arm64)

package asm

// softmaxFor returns the generic table: this build has no assembly.
func softmaxFor(Level) *softmaxKernels { return &softmaxGeneric }
