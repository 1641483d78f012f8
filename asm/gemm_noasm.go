//go:build purego || !(amd64 || arm64)

package asm

// gemmFor returns the microkernel of level l. Without assembly every level
// is the generic one.
func gemmFor(l Level) *gemmKernels { return &gemmGeneric }
