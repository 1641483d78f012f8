//go:build !purego

package asm

// softmaxFor returns the table of level l.
func softmaxFor(l Level) *softmaxKernels {
	return &softmaxGeneric
}
