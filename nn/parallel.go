package nn

import (
	"github.com/nnrt/nnrt/asm"
	"github.com/nnrt/nnrt/reg"
	"github.com/nnrt/nnrt/runtime"
)

// parallelElems is the number of elements from which an elementwise pass is
// split across runtime's threads: under it the hand-off costs more than the
// share of the work it moves. Interleaved step by step against 1<<15 on
// two threads, the book model with dropout 0.2 at batch 32 (its input's
// dropout, 25,088 values, now split) took 0.95-0.96 of the time, at batch
// 64 0.99; without dropout, and at batch 128 and 256, 0.99-1.01. Lower
// thresholds (2,048 to 8,192, which also split the batch-32 activations
// of 9,600) gained no more.
const parallelElems = 1 << 14

// elementwise runs one elementwise pass (an activation, dropout) over n
// elements, split across runtime's threads in chunks that start at
// multiples of 64: a dropout mask word, so that a pass keyed by position
// (the dropout mask) gives the same bits however it is split. A layer keeps
// one; op is a plain function of the fields, so a pass allocates nothing.
type elementwise struct {
	n         int
	dst, x, y []float32
	bias      []float32
	mask      []uint64
	offset    uint64
	act       activation
	cols, ld  int // actBackwardRows's row length and dst's row stride
	drop      reg.Dropout
	alpha     reg.AlphaDropout
	// batch normalization's normalized input and per-column operands (see
	// batchNormForward and batchNormBackward)
	xhat   []float32
	perCol [4][]float32
	op     func(e *elementwise, lo, hi int)
}

// run runs op over [0, n) with the operands set in e.
func (e *elementwise) run(op func(e *elementwise, lo, hi int), n int) {
	e.runFrom(op, n, parallelElems)
}

// runFrom is run with split, in place of parallelElems, the number of
// elements from which the pass is split across threads.
func (e *elementwise) runFrom(op func(e *elementwise, lo, hi int), n, split int) {
	e.op, e.n = op, n
	if n < split || runtime.Threads() < 2 {
		op(e, 0, n)
	} else {
		runtime.ParallelFor((n+63)/64, parallelElems/2/64, e)
	}
	e.dst, e.x, e.y, e.bias, e.mask, e.xhat, e.perCol = nil, nil, nil, nil, nil, nil, [4][]float32{}
}

// Range runs op over the elements of 64-element words [lo, hi).
func (e *elementwise) Range(lo, hi int) { e.op(e, lo*64, min(hi*64, e.n)) }

func actForward(e *elementwise, lo, hi int) { e.act.forward(e.dst[lo:hi], e.x[lo:hi]) }

// biasActForward adds the bias to the rows of x in [lo, hi) (x is rows of
// len(bias) values, so lo may fall inside a row), then, unless the
// activation is linear, writes its activation to dst: one pass over the
// chunk while it is in cache, on the thread that has it.
func biasActForward(e *elementwise, lo, hi int) {
	addBiasRange(e.x, e.bias, lo, hi)
	if e.act.forward != nil {
		e.act.forward(e.dst[lo:hi], e.x[lo:hi])
	}
}

// addBiasRange adds bias to the elements [lo, hi) of the rows x.
func addBiasRange(x, bias []float32, lo, hi int) {
	forRowParts(lo, hi, len(bias), func(i, n, j, w int) {
		asm.AddBias(x[i:i+n], bias[j:j+w])
	})
}

// forRowParts calls f on the parts of elements [lo, hi) of rows of cols
// values, so that a row kernel with one operand per column can run on a
// range that starts or ends inside a row: the part of a row at each end,
// then the whole rows between, each as f(i, n, j, w), the n elements from
// i in rows of w values that start at column j (a part of a row is one row
// of w = n values). f is called directly, so a func literal passed to it
// does not escape and a pass allocates nothing.
func forRowParts(lo, hi, cols int, f func(i, n, j, w int)) {
	if j := lo % cols; j != 0 && lo < hi {
		n := min(cols-j, hi-lo)
		f(lo, n, j, n)
		lo += n
	}
	if whole := lo + (hi-lo)/cols*cols; whole > lo {
		f(lo, whole-lo, 0, cols)
		lo = whole
	}
	if lo < hi {
		f(lo, hi-lo, 0, hi-lo)
	}
}

func actBackward(e *elementwise, lo, hi int) {
	e.act.backward(e.dst[lo:hi], e.x[lo:hi], e.y[lo:hi])
}

// actBackwardRows is actBackward into a dst whose rows (of e.cols values,
// as x's and y's) are e.ld apart: [lo, hi) indexes x and y, a row's part
// at a time.
func actBackwardRows(e *elementwise, lo, hi int) {
	for lo < hi {
		r, c := lo/e.cols, lo%e.cols
		n := min(e.cols-c, hi-lo)
		d := r*e.ld + c
		e.act.backward(e.dst[d:d+n], e.x[lo:lo+n], e.y[lo:lo+n])
		lo += n
	}
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

// colSumRows is the block of rows whose column sums colSums computes as
// one chain: a batch's bias gradient is its blocks' sums added in order,
// so its bits depend on the batch size only, not on the threads that
// computed the blocks.
const colSumRows = 64

// colSums writes the column sums of x (rows of ld values, of which the
// first len(c.dst) are summed) to c.dst: the sums of each block of
// colSumRows rows (rows with padding, ld > len(dst), as whole rows of ld
// into part; without, the first into dst, the others into part), the
// blocks split across runtime's threads for a large x, then the blocks'
// sums added to dst in order. Each thread sums the rows that the
// activation's gradient pass before it wrote on its core (both split the
// batch in halves at a block boundary); on one thread, a batch of 256 rows
// of 300 read the half written on the other core, 29 µs of a 1.7 ms step
// while the other thread waited.
//
// Batch normalization's sums take the same blocks: of squared deviations
// from a centre (runSqDev), and of x and x*y at once (runDots).
type colSums struct {
	dst, x, part []float32
	ld           int
	center       []float32 // runSqDev's
	y, dst2      []float32 // runDots's
	part2        []float32
}

// colSumsPartLen is the length of the part that colSums needs for rows
// rows of cols values ld apart.
func colSumsPartLen(rows, cols, ld int) int {
	if ld != cols {
		return ceilDiv(rows, colSumRows) * ld
	}
	return (ceilDiv(rows, colSumRows) - 1) * cols
}

// run computes the sums of x into dst (an empty dst and x give nothing, as
// asm.ColSums does), with part of colSumsPartLen values.
func (c *colSums) run(dst, x []float32, ld int, part []float32) {
	c.dst, c.x, c.part, c.ld = dst, x, part, ld
	c.sum()
}

// runSqDev computes the sums of (x-center)² into dst (asm.ColSumsSqDev),
// x rows of len(dst) values, with part of colSumsPartLen values.
func (c *colSums) runSqDev(dst, x, center, part []float32) {
	c.dst, c.x, c.part, c.ld, c.center = dst, x, part, len(dst), center
	c.sum()
}

// runDots computes the sums of x into sums and of x*y into dots
// (asm.ColSumsDots), x and y rows of len(sums) values, with parts of
// colSumsPartLen values each.
func (c *colSums) runDots(sums, dots, x, y, part, part2 []float32) {
	c.dst, c.x, c.part, c.ld, c.y, c.dst2, c.part2 = sums, x, part, len(sums), y, dots, part2
	c.sum()
}

func (c *colSums) sum() {
	cols := len(c.dst)
	if cols == 0 || c.ld == cols && len(c.x) <= colSumRows*cols {
		c.block(c.dst, c.dst2, 0, len(c.x))
	} else {
		rows := len(c.x) / c.ld
		blocks := ceilDiv(rows, colSumRows)
		if rows*cols < parallelElems || runtime.Threads() < 2 {
			c.Range(0, blocks)
		} else {
			runtime.ParallelFor(blocks, 1, c)
		}
		if c.ld != cols {
			copy(c.dst, c.part[:cols])
		}
		for b := 1; b < blocks; b++ {
			asm.Add(c.dst, c.dst, c.out(c.dst, c.part, b)[:cols])
			if c.dst2 != nil {
				asm.Add(c.dst2, c.dst2, c.out(c.dst2, c.part2, b))
			}
		}
	}
	*c = colSums{}
}

// block sums the elements [lo, hi) of x (whole rows) into dst (and dst2).
func (c *colSums) block(dst, dst2 []float32, lo, hi int) {
	switch {
	case c.center != nil:
		asm.ColSumsSqDev(dst, c.x[lo:hi], c.center)
	case c.y != nil:
		asm.ColSumsDots(dst, dst2, c.x[lo:hi], c.y[lo:hi])
	default:
		asm.ColSums(dst, c.x[lo:hi])
	}
}

// out is where block b's sums of dst go, in part.
func (c *colSums) out(dst, part []float32, b int) []float32 {
	cols := len(dst)
	switch {
	case c.ld != cols:
		return part[b*c.ld : (b+1)*c.ld]
	case b == 0:
		return dst
	}
	return part[(b-1)*cols : b*cols]
}

// Range sums blocks [lo, hi).
func (c *colSums) Range(lo, hi int) {
	rows := len(c.x) / c.ld
	for b := lo; b < hi; b++ {
		var dst2 []float32
		if c.dst2 != nil {
			dst2 = c.out(c.dst2, c.part2, b)
		}
		c.block(c.out(c.dst, c.part, b), dst2, b*colSumRows*c.ld, min((b+1)*colSumRows, rows)*c.ld)
	}
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
