package kernels

import "github.com/nnrt/nnrt/asm"

// The vec and optim families. Operands are random; values that a repeated
// call feeds back into itself (Scale's x, Axpy's y, the weights and slots
// of the optimizers) are kept from drifting to Inf or subnormals, which
// would time something else than the kernel's steady state.

func init() {
	register(Op{Name: "axpy", Unit: GBps, Dims: 1, DefaultShape: []int{4096}, Parallel: true,
		Summary: "y[i] += alpha*x[i]",
		setup: func(c Config) (func(), float64) {
			n := c.Shape[0]
			r := rng()
			x, y := randSlice(r, n, -1, 1), randSlice(r, n, -1, 1)
			return split(c, n, func(lo, hi int) { asm.Axpy(1e-6, x[lo:hi], y[lo:hi]) }), 12 * float64(n)
		}})
	register(Op{Name: "scale", Unit: GBps, Dims: 1, DefaultShape: []int{4096}, Parallel: true,
		Summary: "x[i] *= alpha (alpha = -1: x keeps its magnitude)",
		setup: func(c Config) (func(), float64) {
			n := c.Shape[0]
			x := randSlice(rng(), n, -1, 1)
			return split(c, n, func(lo, hi int) { asm.Scale(-1, x[lo:hi]) }), 8 * float64(n)
		}})
	register(Op{Name: "scaleto", Unit: GBps, Dims: 1, DefaultShape: []int{4096}, Parallel: true,
		Summary: "dst[i] = alpha*x[i]",
		setup: func(c Config) (func(), float64) {
			n := c.Shape[0]
			r := rng()
			x, dst := randSlice(r, n, -1, 1), randSlice(r, n, -1, 1)
			return split(c, n, func(lo, hi int) { asm.ScaleTo(dst[lo:hi], 0.5, x[lo:hi]) }), 8 * float64(n)
		}})
	register(Op{Name: "dot", Unit: GBps, Dims: 1, DefaultShape: []int{4096},
		Summary: "sum of x[i]*y[i]",
		setup: func(c Config) (func(), float64) {
			n := c.Shape[0]
			r := rng()
			x, y := randSlice(r, n, -1, 1), randSlice(r, n, -1, 1)
			return func() { sink = asm.Dot(x, y) }, 8 * float64(n)
		}})
	register(Op{Name: "sum", Unit: GBps, Dims: 1, DefaultShape: []int{4096},
		Summary: "sum of x[i]",
		setup: func(c Config) (func(), float64) {
			n := c.Shape[0]
			x := randSlice(rng(), n, -1, 1)
			return func() { sink = asm.Sum(x) }, 4 * float64(n)
		}})
	register(Op{Name: "add", Unit: GBps, Dims: 1, DefaultShape: []int{4096}, Parallel: true,
		Summary: "dst[i] = x[i]+y[i]",
		setup: func(c Config) (func(), float64) {
			n := c.Shape[0]
			r := rng()
			x, y, dst := randSlice(r, n, -1, 1), randSlice(r, n, -1, 1), randSlice(r, n, -1, 1)
			return split(c, n, func(lo, hi int) { asm.Add(dst[lo:hi], x[lo:hi], y[lo:hi]) }), 12 * float64(n)
		}})
	register(Op{Name: "mul", Unit: GBps, Dims: 1, DefaultShape: []int{4096}, Parallel: true,
		Summary: "dst[i] = x[i]*y[i]",
		setup: func(c Config) (func(), float64) {
			n := c.Shape[0]
			r := rng()
			x, y, dst := randSlice(r, n, -1, 1), randSlice(r, n, -1, 1), randSlice(r, n, -1, 1)
			return split(c, n, func(lo, hi int) { asm.Mul(dst[lo:hi], x[lo:hi], y[lo:hi]) }), 12 * float64(n)
		}})
	register(Op{Name: "addbias", Unit: GBps, Dims: 2, DefaultShape: []int{256, 1024}, Parallel: true,
		Summary: "x[r*cols+j] += bias[j] over rows x cols",
		setup: func(c Config) (func(), float64) {
			rows, cols := c.Shape[0], c.Shape[1]
			r := rng()
			x, bias := randSlice(r, rows*cols, -1, 1), randSlice(r, cols, -1e-6, 1e-6)
			return splitRows(c, rows, func(lo, hi int) { asm.AddBias(x[lo*cols:hi*cols], bias) }),
				8*float64(rows*cols) + 4*float64(cols)
		}})
	register(Op{Name: "colsums", Unit: GBps, Dims: 2, DefaultShape: []int{256, 1024},
		Summary: "dst[j] = sum over rows of x[r*cols+j] (db of a Dense layer)",
		setup: func(c Config) (func(), float64) {
			rows, cols := c.Shape[0], c.Shape[1]
			r := rng()
			x, dst := randSlice(r, rows*cols, -1, 1), randSlice(r, cols, -1, 1)
			return func() { asm.ColSums(dst, x) }, 4*float64(rows*cols) + 4*float64(cols)
		}})

	register(Op{Name: "sgd", Unit: GBps, Dims: 1, DefaultShape: []int{4096}, Parallel: true,
		Summary: "SGD without momentum: w[i] -= lr*g[i]",
		setup: func(c Config) (func(), float64) {
			n := c.Shape[0]
			r := rng()
			w, g := randSlice(r, n, -1, 1), randSlice(r, n, -1, 1)
			return split(c, n, func(lo, hi int) { asm.SGD(w[lo:hi], g[lo:hi], nil, 1e-6, 0, 0, false) }), 12 * float64(n)
		}})
	for _, nesterov := range []bool{false, true} {
		name, what := "sgdmomentum", "SGD with momentum 0.9 (Keras form)"
		if nesterov {
			name, what = "sgdnesterov", "SGD with Nesterov momentum 0.9 (Keras form)"
		}
		register(Op{Name: name, Unit: GBps, Dims: 1, DefaultShape: []int{4096}, Parallel: true,
			Summary: what,
			setup: func(c Config) (func(), float64) {
				n := c.Shape[0]
				r := rng()
				w, g, m := randSlice(r, n, -1, 1), randSlice(r, n, -1, 1), randSlice(r, n, -1e-3, 1e-3)
				return split(c, n, func(lo, hi int) { asm.SGD(w[lo:hi], g[lo:hi], m[lo:hi], 1e-6, 0.9, 0, nesterov) }),
					20 * float64(n)
			}})
	}
	// Adam and Nadam: an update of w from g and the two moments m and v
	for _, o := range []struct {
		name, what string
		step       func(w, g, m, v []float32)
	}{
		{"adam", "Adam step (Keras defaults)", func(w, g, m, v []float32) {
			asm.Adam(w, g, m, v, 1e-6, 0.9, 0.999, 1e-7, 0)
		}},
		{"nadam", "Nadam step (Keras defaults, coefficients of step 10)", func(w, g, m, v []float32) {
			asm.Nadam(w, g, m, v, 1e-6, 0.9, 0.999, 1e-7, 1.5, 0.15, 100, 0)
		}},
		{"nadaml2", "Nadam step with the gradient of an L2 penalty l2(0.01) added in the pass", func(w, g, m, v []float32) {
			asm.Nadam(w, g, m, v, 1e-6, 0.9, 0.999, 1e-7, 1.5, 0.15, 100, 0.01)
		}},
	} {
		register(Op{Name: o.name, Unit: GBps, Dims: 1, DefaultShape: []int{4096}, Parallel: true,
			Summary: o.what,
			setup: func(c Config) (func(), float64) {
				n := c.Shape[0]
				r := rng()
				w, g := randSlice(r, n, -1, 1), randSlice(r, n, -1, 1)
				m, v := randSlice(r, n, -1e-3, 1e-3), randSlice(r, n, 0, 1e-3)
				return split(c, n, func(lo, hi int) { o.step(w[lo:hi], g[lo:hi], m[lo:hi], v[lo:hi]) }),
					28 * float64(n)
			}})
	}
	register(Op{Name: "rmsprop", Unit: GBps, Dims: 1, DefaultShape: []int{4096}, Parallel: true,
		Summary: "RMSprop step (Keras 3 defaults)",
		setup: func(c Config) (func(), float64) {
			n := c.Shape[0]
			r := rng()
			w, g, v := randSlice(r, n, -1, 1), randSlice(r, n, -1, 1), randSlice(r, n, 0, 1e-3)
			return split(c, n, func(lo, hi int) { asm.RMSprop(w[lo:hi], g[lo:hi], v[lo:hi], 1e-6, 0.9, 1e-7, 0) }),
				20 * float64(n)
		}})
}

// sink keeps the results of reductions alive so the compiler cannot drop
// the calls.
var sink float32
