package runtime

import (
	"math/bits"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Alignment is the byte alignment of every buffer this package hands out:
// one cache line, and the width of an AVX-512 register.
const Alignment = 64

const alignFloats = Alignment / 4

// minClass is log2 of the smallest size class, in float32 elements.
const minClass = 4

// Alloc returns a 64-byte aligned slice of n float32 from a pool of size
// classes (powers of two, at least 16 elements). len is n, cap is the class
// size. The contents are not zeroed. Give it back with Free.
func Alloc(n int) []float32 {
	if n < 0 {
		panic("runtime: negative buffer length")
	}
	c := sizeClass(n)
	if last := &buffers.last[c]; last.Load() != nil {
		if p := last.Swap(nil); p != nil {
			return unsafe.Slice(p, 1<<c)[:n]
		}
	}
	buffers.mu.Lock()
	stack := buffers.free[c]
	if k := len(stack); k > 0 {
		b := stack[k-1]
		buffers.free[c] = stack[:k-1]
		buffers.mu.Unlock()
		return b[:n]
	}
	buffers.mu.Unlock()
	return alignedFloats(n, 1<<c)
}

// Free returns a buffer obtained from Alloc to its pool. Buffers that did
// not come from Alloc (wrong capacity or alignment) are left to the GC.
func Free(b []float32) {
	c := cap(b)
	if c < 1<<minClass || c&(c-1) != 0 || !IsAligned(b[:c]) {
		return
	}
	k := bits.TrailingZeros(uint(c))
	// b takes the slot; the buffer it held, if any, goes on the stack under
	// it, so that the slot and the stack keep the order of a single stack
	old := buffers.last[k].Swap(unsafe.SliceData(b))
	if old == nil {
		return
	}
	buffers.mu.Lock()
	buffers.free[k] = append(buffers.free[k], unsafe.Slice(old, c)[:0])
	buffers.mu.Unlock()
}

// The buffer of each class freed last waits in a slot of its own, which
// Alloc and Free reach with one atomic operation instead of a lock and an
// unlock (as runtime.FreeList's last record): a small product takes and
// gives back its scratch buffers one at a time, and at a microsecond a
// product the locks were some 5% of it. The slot is the top of the class's
// stack: buffers come back in the reverse order of their Free, which
// blas relies on to hand each thread the buffers it wrote last.
var buffers struct {
	last [64]atomic.Pointer[float32] // a buffer's first element; its class is its slot
	mu   sync.Mutex
	free [64][][]float32
}

func sizeClass(n int) int {
	if n <= 1<<minClass {
		return minClass
	}
	return bits.Len(uint(n - 1))
}

// alignedFloats allocates a zeroed slice of length n and capacity c whose
// first element is 64-byte aligned.
func alignedFloats(n, c int) []float32 {
	raw := make([]float32, c+alignFloats)
	off := 0
	if rem := uintptr(unsafe.Pointer(unsafe.SliceData(raw))) % Alignment; rem != 0 {
		off = int(Alignment-rem) / 4
	}
	return raw[off : off+n : off+c]
}

// IsAligned reports whether b's first element is 64-byte aligned (an empty
// slice with a nil array counts as aligned).
func IsAligned(b []float32) bool {
	if cap(b) == 0 {
		return true
	}
	return uintptr(unsafe.Pointer(unsafe.SliceData(b)))%Alignment == 0
}

// Arena hands out aligned float32 slices by bumping an offset in one large
// block, and Reset makes all of them free at once: the per-step scratch of a
// training step. After the first step has sized it, Floats never allocates.
// An Arena is not safe for concurrent use.
type Arena struct {
	block []float32 // slices are carved from block[off:]
	off   int
	spill int // floats served outside block since the last Reset
}

// NewArena returns an empty arena.
func NewArena() *Arena { return &Arena{} }

// Floats returns a zeroed, 64-byte aligned slice of n float32 that stays
// valid until the next Reset.
func (a *Arena) Floats(n int) []float32 {
	if n < 0 {
		panic("runtime: negative buffer length")
	}
	r := (n + alignFloats - 1) &^ (alignFloats - 1)
	if a.off+r <= len(a.block) {
		s := a.block[a.off : a.off+n : a.off+n]
		a.off += r
		clear(s)
		return s
	}
	// The block is too small: serve this one from the heap now, and grow the
	// block at the next Reset so that the following steps fit in it.
	a.spill += r
	return alignedFloats(n, n)
}

// Reset frees every slice handed out since the last Reset. If the block was
// too small, it is replaced by one that fits everything asked for.
func (a *Arena) Reset() {
	if a.spill > 0 {
		n := a.off + a.spill
		a.block = alignedFloats(n, n)
		a.spill = 0
	}
	a.off = 0
}

// Used reports how many floats (with alignment padding) are handed out.
func (a *Arena) Used() int { return a.off + a.spill }
