package runtime

import (
	"sync"
	"sync/atomic"
)

// FreeList is a stack of recycled records that the GC does not empty: a
// sync.Pool loses its contents at every collection, and refilling it would
// allocate inside training steps. It holds as many records as were ever in
// use at once. New makes a record when the list is empty. It is safe for
// concurrent use.
//
// The record put back last waits in a slot of its own, which Get and Put
// reach with one atomic operation instead of a lock and an unlock: the
// common case is one record in use at a time (a small GEMM takes several
// records per call, and at a microsecond a call the locks were a tenth of
// its time).
type FreeList[T any] struct {
	last atomic.Pointer[T]
	mu   sync.Mutex
	free []*T
	New  func() *T
}

// Get pops a record, or makes one with New when the list is empty.
func (l *FreeList[T]) Get() *T {
	if l.last.Load() != nil {
		if x := l.last.Swap(nil); x != nil {
			return x
		}
	}
	l.mu.Lock()
	if k := len(l.free); k > 0 {
		x := l.free[k-1]
		l.free[k-1] = nil
		l.free = l.free[:k-1]
		l.mu.Unlock()
		return x
	}
	l.mu.Unlock()
	return l.New()
}

// Put pushes x back for a later Get.
func (l *FreeList[T]) Put(x *T) {
	if l.last.Load() == nil && l.last.CompareAndSwap(nil, x) {
		return
	}
	l.mu.Lock()
	l.free = append(l.free, x)
	l.mu.Unlock()
}
