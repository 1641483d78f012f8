package asm

import "math"

// The decode family: 8-bit data widened to float32 as a training step
// needs it. A training set of 8-bit pixels scaled to [0, 1] (k/255, as
// Keras's and the book's x / 255.) is four times smaller as its bytes, and
// a batch gathered from random rows of it waits on memory: decoding the
// bytes costs less than the three quarters of the traffic it saves.

// Over255 sets dst[i] = float32(src[i]) / 255 for i < len(src): the
// float32 quotient, rounded once. For every byte that is also
// float32(float64(src[i]) / 255), the value numpy's x / 255. then a cast
// to float32 gives (Over255Table, checked for all 256 bytes by the tests).
// It panics if dst is shorter than src.
func Over255(dst []float32, src []uint8) {
	if len(dst) < len(src) {
		panic(decodeErrShort)
	}
	decode.over255(dst[:len(src)], src)
}

// Over255Fast reports whether the active level decodes in assembly; on
// the others Over255 is a table lookup in Go, slower than copying the
// float32 values it would save.
func Over255Fast() bool { return decode.fast }

// Prefetch asks the CPU to bring the cache lines of p into its caches
// (PREFETCHT0 on amd64; nothing on the generic level): a hint that lets a
// loop start the memory reads of its next rows while it works on the
// current one. It changes no data.
func Prefetch(p []uint8) { decode.prefetch(p) }

// Over255Table holds Over255's value of each byte.
var Over255Table = func() (t [256]float32) {
	for k := range t {
		t[k] = float32(k) / 255
	}
	return t
}()

// Over255Code returns the byte whose Over255 value has the bits of v, and
// whether there is one: v is exactly k/255 (rounded as Over255 rounds it)
// for an integer k in [0, 255]. -0 has none.
func Over255Code(v float32) (uint8, bool) {
	if !(v >= 0 && v <= 1) {
		return 0, false
	}
	k := uint8(math.Round(float64(v) * 255))
	return k, math.Float32bits(Over255Table[k]) == math.Float32bits(v)
}

// Over255Codes sets dst[i] to the byte whose Over255 value has the bits
// of src[i] (Over255Code), for i < len(src), and reports whether every
// value has one; when one has none it returns false, dst written up to
// some point. It panics if dst is shorter than src. Over255Codes then
// Over255 gives back src's bits.
func Over255Codes(dst []uint8, src []float32) bool {
	if len(dst) < len(src) {
		panic(decodeErrShort)
	}
	return decode.codes(dst[:len(src)], src)
}

type decodeKernels struct {
	over255  func(dst []float32, src []uint8) // len(dst) == len(src)
	codes    func(dst []uint8, src []float32) bool
	prefetch func(p []uint8)
	fast     bool
}

var decode = decodeFor(active)

var decodeGeneric = decodeKernels{over255: over255Generic, codes: over255CodesGeneric, prefetch: func([]uint8) {}}

func over255CodesGeneric(dst []uint8, src []float32) bool {
	for i, v := range src {
		c, ok := Over255Code(v)
		if !ok {
			return false
		}
		dst[i] = c
	}
	return true
}

func over255Generic(dst []float32, src []uint8) {
	for i, k := range src {
		dst[i] = Over255Table[k]
	}
}

const decodeErrShort = "asm: dst shorter than src"
