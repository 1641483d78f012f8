//go:build linux

package asm

import (
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// vecPageEnd returns n float32 that end exactly where an inaccessible page
// begins, so that a kernel touching one element past the end faults, even
// for a read of a lane its mask turns off (AMD documents that VMASKMOVPS
// may fault on masked-out elements: this test is the check).
func vecPageEnd(t *testing.T, n int) []float32 {
	t.Helper()
	pg := syscall.Getpagesize()
	buf, err := syscall.Mmap(-1, 0, 2*pg, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skipf("mmap: %v", err)
	}
	t.Cleanup(func() { syscall.Munmap(buf) })
	if err := syscall.Mprotect(buf[pg:], syscall.PROT_NONE); err != nil {
		t.Skipf("mprotect: %v", err)
	}
	f := unsafe.Slice((*float32)(unsafe.Pointer(&buf[0])), pg/4)
	s := f[pg/4-n:]
	for i := range s {
		s[i] = float32(i%7) - 3
	}
	return s
}

// TestVecPageEnd runs every vec and optim kernel on operands that all end
// at an inaccessible page, for every tail length.
func TestVecPageEnd(t *testing.T) {
	forEachLevel(t, func(t *testing.T, l Level) {
		v, o := vecFor(l), optimFor(l)
		for n := 1; n <= 70; n++ {
			x, y, z, u := vecPageEnd(t, n), vecPageEnd(t, n), vecPageEnd(t, n), vecPageEnd(t, n)
			v.axpy(0.5, x, y)
			v.scale(0.5, x)
			v.scaleTo(z, 0.5, x)
			v.add(z, x, y)
			v.mul(z, x, y)
			vecSink += v.dot(x, y) + v.sum(x)
			v.addBias(x, y)
			v.colSums(z, x)
			for _, cols := range []int{1, n / 3, n / 2} {
				if cols > 0 {
					v.addBias(x[len(x)-n/cols*cols:], vecPageEndTail(y, cols))
					v.colSums(vecPageEndTail(z, cols), x[len(x)-n/cols*cols:])
				}
			}
			o.sgdMomentum(x, y, z, 0.1, 0.9)
			o.sgdNesterov(x, y, z, 0.1, 0.9)
			o.adam(x, y, z, u, 0.1, 0.9, 0.1, 0.999, 0.001, 1e-7)
			o.nadam(x, y, z, u, 0.1, 0.9, 0.1, 0.999, 0.001, 1e-7, 1, 1, 1)
			o.rmsprop(x, y, u, 0.1, 0.9, 0.1, 1e-7)
		}
	})
}

// vecPageEndTail is the last k elements of s (which end at the page).
func vecPageEndTail(s []float32, k int) []float32 { return s[len(s)-k:] }

var vecSink float32

// benchThreadCPU returns the CPU time of the calling thread (getrusage
// with RUSAGE_THREAD, 1 on Linux), for the benchmarks' cpu-MB/s.
func benchThreadCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(1, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
