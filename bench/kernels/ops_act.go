package kernels

import "github.com/nnrt/nnrt/asm"

// The act, softmax, dropout and norm families.

// actForward are the activations forward, dst = f(x); x is in [-4, 4], the
// range where every branch (and exp's polynomial) is exercised.
var actForward = []struct {
	name string
	f    func(dst, x []float32)
}{
	{"exp", asm.Exp},
	{"relu", asm.Relu},
	{"leakyrelu", func(dst, x []float32) { asm.LeakyRelu(dst, x, 0.2) }},
	{"elu", func(dst, x []float32) { asm.Elu(dst, x, 1) }},
	{"selu", asm.Selu},
	{"sigmoid", asm.Sigmoid},
	{"tanh", asm.Tanh},
}

// actBackward are the gradients from the output y, dx = dy * f'(y); y is
// the forward's output of x in [-4, 4].
var actBackward = []struct {
	name    string
	forward func(dst, x []float32)
	grad    func(dx, dy, y []float32)
}{
	{"relugrad", asm.Relu, asm.ReluGrad},
	{"leakyrelugrad", func(dst, x []float32) { asm.LeakyRelu(dst, x, 0.2) },
		func(dx, dy, y []float32) { asm.LeakyReluGrad(dx, dy, y, 0.2) }},
	{"elugrad", func(dst, x []float32) { asm.Elu(dst, x, 1) },
		func(dx, dy, y []float32) { asm.EluGrad(dx, dy, y, 1) }},
	{"selugrad", asm.Selu, asm.SeluGrad},
	{"sigmoidgrad", asm.Sigmoid, asm.SigmoidGrad},
	{"tanhgrad", asm.Tanh, asm.TanhGrad},
}

func init() {
	for _, a := range actForward {
		register(Op{Name: a.name, Unit: GBps, Dims: 1, DefaultShape: []int{4096}, Parallel: true,
			Summary: "activation forward dst[i] = " + a.name + "(x[i])",
			setup: func(c Config) (func(), float64) {
				n := c.Shape[0]
				r := rng()
				x, dst := randSlice(r, n, -4, 4), randSlice(r, n, -1, 1)
				return split(c, n, func(lo, hi int) { a.f(dst[lo:hi], x[lo:hi]) }), 8 * float64(n)
			}})
	}
	for _, a := range actBackward {
		register(Op{Name: a.name, Unit: GBps, Dims: 1, DefaultShape: []int{4096}, Parallel: true,
			Summary: "activation gradient dx[i] = dy[i]*f'(from y[i])",
			setup: func(c Config) (func(), float64) {
				n := c.Shape[0]
				r := rng()
				x, y, dy, dx := randSlice(r, n, -4, 4), randSlice(r, n, -1, 1), randSlice(r, n, -1, 1), randSlice(r, n, -1, 1)
				a.forward(y, x)
				return split(c, n, func(lo, hi int) { a.grad(dx[lo:hi], dy[lo:hi], y[lo:hi]) }), 12 * float64(n)
			}})
	}

	register(Op{Name: "softmax", Unit: GBps, Dims: 2, DefaultShape: []int{256, 1024}, Parallel: true,
		Summary: "row-wise softmax of rows x cols",
		setup: func(c Config) (func(), float64) {
			rows, cols := c.Shape[0], c.Shape[1]
			r := rng()
			x, dst := randSlice(r, rows*cols, -4, 4), randSlice(r, rows*cols, -1, 1)
			return splitRows(c, rows, func(lo, hi int) { asm.Softmax(dst[lo*cols:hi*cols], x[lo*cols:hi*cols], cols) }),
				8 * float64(rows*cols)
		}})
	register(Op{Name: "softmaxce", Unit: GBps, Dims: 2, DefaultShape: []int{256, 1024},
		Summary: "fused softmax + sparse cross-entropy: loss and gradient of rows x cols logits",
		setup: func(c Config) (func(), float64) {
			rows, cols := c.Shape[0], c.Shape[1]
			r := rng()
			logits, grad := randSlice(r, rows*cols, -4, 4), randSlice(r, rows*cols, -1, 1)
			labels := make([]int32, rows)
			for i := range labels {
				labels[i] = int32(r.IntN(cols))
			}
			return func() { sinkF64 = asm.SoftmaxCrossEntropy(grad, logits, labels, cols, 1/float32(rows)) },
				8*float64(rows*cols) + 4*float64(rows)
		}})

	// Dropout at rate 0.2: bytes are x and dst (or dy and dx) plus the mask,
	// one bit per element. Chunks of a parallel call start on multiples of
	// 64 elements (split's blocks), so each owns whole mask words and passes
	// its start as the offset: the mask is the one a single call makes.
	const rate = 0.2
	for _, alpha := range []bool{false, true} {
		name, f, what := "dropout", asm.DropoutForward, "inverted dropout forward, rate 0.2: dst, bitmask"
		if alpha {
			name, f, what = "alphadropout", asm.AlphaDropoutForward, "alpha dropout forward, rate 0.2: dst, bitmask"
		}
		register(Op{Name: name, Unit: GBps, Dims: 1, DefaultShape: []int{4096}, Parallel: true, Summary: what,
			setup: func(c Config) (func(), float64) {
				n := c.Shape[0]
				r := rng()
				x, dst := randSlice(r, n, -1, 1), randSlice(r, n, -1, 1)
				mask := make([]uint64, (n+63)/64)
				return split(c, n, func(lo, hi int) {
					f(dst[lo:hi], x[lo:hi], mask[lo/64:], rate, 42, uint64(lo))
				}), 8*float64(n) + float64(n)/8
			}})
	}
	register(Op{Name: "dropoutgrad", Unit: GBps, Dims: 1, DefaultShape: []int{4096}, Parallel: true,
		Summary: "dropout backward dx[i] = mask bit i ? dy[i]*scale : 0",
		setup: func(c Config) (func(), float64) {
			n := c.Shape[0]
			r := rng()
			x, dy, dx := randSlice(r, n, -1, 1), randSlice(r, n, -1, 1), randSlice(r, n, -1, 1)
			mask := make([]uint64, (n+63)/64)
			asm.DropoutForward(x, x, mask, rate, 42, 0)
			return split(c, n, func(lo, hi int) { asm.DropoutBackward(dx[lo:hi], dy[lo:hi], mask[lo/64:], 1/(1-rate)) }),
				8*float64(n) + float64(n)/8
		}})

	register(Op{Name: "sumsquares", Unit: GBps, Dims: 1, DefaultShape: []int{4096},
		Summary: "sum of x[i]^2",
		setup: func(c Config) (func(), float64) {
			n := c.Shape[0]
			x := randSlice(rng(), n, -1, 1)
			return func() { sink = asm.SumSquares(x) }, 4 * float64(n)
		}})
	register(Op{Name: "rownorms", Unit: GBps, Dims: 2, DefaultShape: []int{256, 1024},
		Summary: "L2 norm of each row",
		setup: func(c Config) (func(), float64) {
			rows, cols := c.Shape[0], c.Shape[1]
			r := rng()
			x, dst := randSlice(r, rows*cols, -1, 1), randSlice(r, rows, 0, 1)
			return func() { asm.RowNorms(dst, x, cols) }, 4*float64(rows*cols) + 4*float64(rows)
		}})
	register(Op{Name: "colnorms", Unit: GBps, Dims: 2, DefaultShape: []int{256, 1024},
		Summary: "L2 norm of each column",
		setup: func(c Config) (func(), float64) {
			rows, cols := c.Shape[0], c.Shape[1]
			r := rng()
			x, dst := randSlice(r, rows*cols, -1, 1), randSlice(r, cols, 0, 1)
			return func() { asm.ColNorms(dst, x) }, 4*float64(rows*cols) + 4*float64(cols)
		}})
	// Max-norm: the limit 0.5 is below the rows' and columns' norms of
	// values in [-1, 1], so the first call clips and later ones rescale by a
	// factor of about 1 (the steady state of a constraint after each step).
	register(Op{Name: "maxnormrows", Unit: GBps, Dims: 2, DefaultShape: []int{256, 1024}, Parallel: true,
		Summary: "max-norm constraint on each row (limit 0.5)",
		setup: func(c Config) (func(), float64) {
			rows, cols := c.Shape[0], c.Shape[1]
			x := randSlice(rng(), rows*cols, -1, 1)
			return splitRows(c, rows, func(lo, hi int) { asm.MaxNormRows(x[lo*cols:hi*cols], cols, 0.5) }),
				8 * float64(rows*cols)
		}})
	register(Op{Name: "maxnormcols", Unit: GBps, Dims: 2, DefaultShape: []int{256, 1024},
		Summary: "max-norm constraint on each column (limit 0.5; Keras axis=0 of a Dense kernel)",
		setup: func(c Config) (func(), float64) {
			rows, cols := c.Shape[0], c.Shape[1]
			x := randSlice(rng(), rows*cols, -1, 1)
			return func() { asm.MaxNormCols(x, cols, 0.5) }, 8 * float64(rows*cols)
		}})
	register(Op{Name: "globalnorm", Unit: GBps, Dims: 1, DefaultShape: []int{4096},
		Summary: "global L2 norm of x split in three gradients",
		setup: func(c Config) (func(), float64) {
			n := c.Shape[0]
			x := randSlice(rng(), n, -1, 1)
			a, b, d := x[:n/3], x[n/3:2*n/3], x[2*n/3:]
			return func() { sink = asm.GlobalNorm(a, b, d) }, 4 * float64(n)
		}})
	register(Op{Name: "clipbynorm", Unit: GBps, Dims: 1, DefaultShape: []int{4096},
		Summary: "TF clip_by_norm (clip 0.5, below the norm)",
		setup: func(c Config) (func(), float64) {
			n := c.Shape[0]
			x := randSlice(rng(), n, -1, 1)
			return func() { asm.ClipByNorm(x, 0.5) }, 8 * float64(n)
		}})
	register(Op{Name: "clipbyvalue", Unit: GBps, Dims: 1, DefaultShape: []int{4096}, Parallel: true,
		Summary: "x[i] = clamp(x[i], -0.5, 0.5)",
		setup: func(c Config) (func(), float64) {
			n := c.Shape[0]
			x := randSlice(rng(), n, -1, 1)
			return split(c, n, func(lo, hi int) { asm.ClipByValue(x[lo:hi], -0.5, 0.5) }), 8 * float64(n)
		}})
	register(Op{Name: "l1l2grad", Unit: GBps, Dims: 1, DefaultShape: []int{4096},
		Summary: "g[i] += l1*sign(w[i]) + 2*l2*w[i], returns the penalty",
		setup: func(c Config) (func(), float64) {
			n := c.Shape[0]
			r := rng()
			g, w := randSlice(r, n, -1, 1), randSlice(r, n, -1, 1)
			return func() { sink = asm.L1L2Grad(g, w, 1e-7, 1e-7) }, 12 * float64(n)
		}})
}

var sinkF64 float64
