//go:build purego || !amd64

package asm

func fmaLoopFor(Level) (loop func(n int), flopsPerIter int) { return nil, 0 }
