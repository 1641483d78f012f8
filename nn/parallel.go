package nn

import (
	"github.com/nnrt/nnrt/reg"
	"github.com/nnrt/nnrt/runtime"
)

// parallelElems is the number of elements from which an elementwise pass is
// split across runtime's threads: under it the hand-off costs more than the
// share of the work it moves (a pass costs about a nanosecond an element).
const parallelElems = 1 << 15

// elementwise runs one elementwise pass (an activation, dropout) over n
// elements, split across runtime's threads in chunks that start at
// multiples of 64: a dropout mask word, so that a pass keyed by position
// (the dropout mask) gives the same bits however it is split. A layer keeps
// one; op is a plain function of the fields, so a pass allocates nothing.
type elementwise struct {
	n         int
	dst, x, y []float32
	mask      []uint64
	offset    uint64
	act       activation
	drop      reg.Dropout
	alpha     reg.AlphaDropout
	op        func(e *elementwise, lo, hi int)
}

// run runs op over [0, n) with the operands set in e.
func (e *elementwise) run(op func(e *elementwise, lo, hi int), n int) {
	e.op, e.n = op, n
	if n < parallelElems || runtime.Threads() < 2 {
		op(e, 0, n)
	} else {
		runtime.ParallelFor((n+63)/64, parallelElems/2/64, e)
	}
	e.dst, e.x, e.y, e.mask = nil, nil, nil, nil
}

// Range runs op over the elements of 64-element words [lo, hi).
func (e *elementwise) Range(lo, hi int) { e.op(e, lo*64, min(hi*64, e.n)) }

func actForward(e *elementwise, lo, hi int) { e.act.forward(e.dst[lo:hi], e.x[lo:hi]) }

func actBackward(e *elementwise, lo, hi int) {
	e.act.backward(e.dst[lo:hi], e.x[lo:hi], e.y[lo:hi])
}

func dropoutForward(e *elementwise, lo, hi int) {
	e.drop.Forward(e.dst[lo:hi], e.x[lo:hi], e.mask[lo/64:], e.offset+uint64(lo))
}

func dropoutBackward(e *elementwise, lo, hi int) {
	e.drop.Backward(e.dst[lo:hi], e.x[lo:hi], e.mask[lo/64:])
}

func alphaDropoutForward(e *elementwise, lo, hi int) {
	e.alpha.Forward(e.dst[lo:hi], e.x[lo:hi], e.mask[lo/64:], e.offset+uint64(lo))
}

func alphaDropoutBackward(e *elementwise, lo, hi int) {
	e.alpha.Backward(e.dst[lo:hi], e.x[lo:hi], e.mask[lo/64:])
}
