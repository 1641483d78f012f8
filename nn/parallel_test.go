package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/nnrt/nnrt/asm"
	"github.com/nnrt/nnrt/blas"
	"github.com/nnrt/nnrt/runtime"
)

// TestAddBiasRange: the bias added over any range [lo, hi) of the rows,
// starting and ending inside a row or on its edge, gives AddBias's bits
// there and leaves the rest of the rows alone.
func TestAddBiasRange(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, cols := range []int{1, 3, 16, 17, 100} {
		rows := 5
		x := make([]float32, rows*cols)
		bias := make([]float32, cols)
		for i := range x {
			x[i] = r.Float32() - 0.5
		}
		for j := range bias {
			bias[j] = r.Float32() - 0.5
		}
		want := append([]float32(nil), x...)
		asm.AddBias(want, bias)
		for lo := 0; lo <= len(x); lo++ {
			for hi := lo; hi <= len(x); hi++ {
				got := append([]float32(nil), x...)
				addBiasRange(got, bias, lo, hi)
				for i := range got {
					w := x[i]
					if i >= lo && i < hi {
						w = want[i]
					}
					if math.Float32bits(got[i]) != math.Float32bits(w) {
						t.Fatalf("cols %d, [%d, %d): element %d = %g, want %g", cols, lo, hi, i, got[i], w)
					}
				}
			}
		}
	}
}

// TestDenseForwardBiasActivation: a Dense layer's forward pass (bias and
// activation in one pass, split across threads when large) has the bits
// of the product, then the bias, then the activation, each over the whole
// batch, for every activation, with and without a bias, on batches under
// and over the size that splits, and with a fused softmax left as logits.
func TestDenseForwardBiasActivation(t *testing.T) {
	defer runtime.SetThreads(runtime.SetThreads(3))
	const in, units = 7, 50
	for _, act := range []string{"linear", "relu", "elu", "selu", "tanh", "sigmoid", "softmax"} {
		for _, useBias := range []bool{true, false} {
			for _, rows := range []int{3, 2 * parallelElems / units} {
				for _, m := range []mode{predict, training} {
					ub := useBias
					l := Dense(DenseConfig{Units: units, Activation: act, UseBias: &ub}).(*dense)
					if _, err := l.build([]int{in}, 1, &paramBudget{}); err != nil {
						t.Fatal(err)
					}
					l.fuseSoft = act == "softmax" && m == training
					if useBias {
						for j := range l.bias.Value {
							l.bias.Value[j] = float32(j)/25 - 1
						}
					}
					l.reserve(rows)
					x := make([]float32, rows*in)
					r := rand.New(rand.NewPCG(uint64(rows), 9))
					for i := range x {
						x[i] = 2*r.Float32() - 1
					}
					got := l.forward(x, rows, m)

					want := make([]float32, rows*units)
					blas.Sgemm(blas.NoTrans, blas.NoTrans, rows, units, in, 1, x, in, l.kernel.Value, units, 0, want, units)
					if useBias {
						asm.AddBias(want, l.bias.Value)
					}
					a, _ := lookupActivation(act)
					switch {
					case l.fuseSoft || a.linear():
					case a.softmax:
						asm.Softmax(want, want, units)
					default:
						a.forward(want, want)
					}
					for i := range want {
						if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
							t.Fatalf("%s, bias %v, %d rows, mode %d: element %d = %g, want %g", act, useBias, rows, m, i, got[i], want[i])
						}
					}
				}
			}
		}
	}
}

// TestColSums: the bias gradient's column sums are, for each column, the
// blocks of colSumRows rows summed in row order and the blocks' sums added
// in order (so one block gives asm.ColSums's bits), the same bits on 1, 2
// and 3 threads and with rows padded to a longer stride (whose padding,
// NaN here, is not summed), and within float32 rounding of a float64 sum;
// part is used up to colSumsPartLen and nothing past dst is written.
func TestColSums(t *testing.T) {
	defer runtime.SetThreads(runtime.SetThreads(1))
	r := rand.New(rand.NewPCG(3, 4))
	var empty colSums
	empty.run(nil, nil, 0, nil) // no columns: nothing to sum, no panic
	for _, cols := range []int{1, 10, 300} {
		for _, rows := range []int{1, 63, 64, 65, 200, 256} {
			x := make([]float32, rows*cols)
			for i := range x {
				x[i] = r.Float32() - 0.5
			}
			// the definition, block by block
			want := make([]float32, cols)
			blk := make([]float32, cols)
			for r0 := 0; r0 < rows; r0 += colSumRows {
				asm.ColSums(blk, x[r0*cols:min(r0+colSumRows, rows)*cols])
				if r0 == 0 {
					copy(want, blk)
				} else {
					asm.Add(want, want, blk)
				}
			}
			for j := range want {
				var s float64
				for i := 0; i < rows; i++ {
					s += float64(x[i*cols+j])
				}
				if math.Abs(s-float64(want[j])) > 1e-5*float64(rows) {
					t.Fatalf("%dx%d: column %d: %g, float64 sum %g", rows, cols, j, want[j], s)
				}
			}
			for _, ld := range []int{cols, (cols + 15) &^ 15, cols + 17} {
				xs := make([]float32, rows*ld)
				for i := range xs {
					xs[i] = float32(math.NaN())
				}
				for i := 0; i < rows; i++ {
					copy(xs[i*ld:i*ld+cols], x[i*cols:(i+1)*cols])
				}
				for _, th := range []int{1, 2, 3} {
					runtime.SetThreads(th)
					var c colSums
					dst := make([]float32, cols+1)
					dst[cols] = 42
					part := make([]float32, colSumsPartLen(rows, cols, ld))
					c.run(dst[:cols], xs, ld, part)
					for j := range want {
						if math.Float32bits(dst[j]) != math.Float32bits(want[j]) {
							t.Fatalf("%dx%d (stride %d), %d threads: column %d = %g, want %g", rows, cols, ld, th, j, dst[j], want[j])
						}
					}
					if dst[cols] != 42 {
						t.Fatalf("%dx%d (stride %d), %d threads: wrote past dst", rows, cols, ld, th)
					}
				}
			}
		}
	}
}

// TestColSumsBatchNorm: batch normalization's sums (of squared deviations,
// and of x and x*y at once) take colSums's blocks: the blocks' sums added
// in order, the same bits on 1, 2 and 3 threads.
func TestColSumsBatchNorm(t *testing.T) {
	defer runtime.SetThreads(runtime.SetThreads(1))
	r := rand.New(rand.NewPCG(7, 8))
	for _, cols := range []int{1, 10, 300} {
		for _, rows := range []int{1, 64, 65, 200, 256} {
			x, y, c := make([]float32, rows*cols), make([]float32, rows*cols), make([]float32, cols)
			for i := range x {
				x[i], y[i] = r.Float32()-0.5, r.Float32()-0.5
			}
			for j := range c {
				c[j] = r.Float32() - 0.5
			}
			// the definition, block by block
			wantSq, wantSum, wantDot := make([]float32, cols), make([]float32, cols), make([]float32, cols)
			b1, b2, b3 := make([]float32, cols), make([]float32, cols), make([]float32, cols)
			for r0 := 0; r0 < rows; r0 += colSumRows {
				lo, hi := r0*cols, min(r0+colSumRows, rows)*cols
				asm.ColSumsSqDev(b1, x[lo:hi], c)
				asm.ColSumsDots(b2, b3, x[lo:hi], y[lo:hi])
				asm.Add(wantSq, wantSq, b1)
				asm.Add(wantSum, wantSum, b2)
				asm.Add(wantDot, wantDot, b3)
			}
			for _, th := range []int{1, 2, 3} {
				runtime.SetThreads(th)
				var cs colSums
				part, part2 := make([]float32, colSumsPartLen(rows, cols, cols)), make([]float32, colSumsPartLen(rows, cols, cols))
				sq, sum, dot := make([]float32, cols), make([]float32, cols), make([]float32, cols)
				cs.runSqDev(sq, x, c, part)
				cs.runDots(sum, dot, x, y, part, part2)
				for j := 0; j < cols; j++ {
					if math.Float32bits(sq[j]) != math.Float32bits(wantSq[j]) || math.Float32bits(sum[j]) != math.Float32bits(wantSum[j]) ||
						math.Float32bits(dot[j]) != math.Float32bits(wantDot[j]) {
						t.Fatalf("%dx%d, %d threads: column %d: %g %g %g, want %g %g %g", rows, cols, th, j,
							sq[j], sum[j], dot[j], wantSq[j], wantSum[j], wantDot[j])
					}
				}
			}
		}
	}
}

// TestLossWork: a batch's loss is its blocks' losses (lossBlockRows rows
// each) added in order, with the same bits on 1, 2 and 3 threads, within
// float64 rounding of the unblocked sum; the gradient and the count of
// correct predictions are the unblocked ones exactly.
func TestLossWork(t *testing.T) {
	defer runtime.SetThreads(runtime.SetThreads(1))
	r := rand.New(rand.NewPCG(5, 6))
	const cols = 10
	losses := []lossFn{
		{name: SparseCategoricalCrossentropy, sparse: true, fromLogits: true},
		{name: SparseCategoricalCrossentropy, sparse: true},
		{name: CategoricalCrossentropy, fromLogits: true},
		{name: CategoricalCrossentropy},
		{name: MeanSquaredError},
	}
	for _, rows := range []int{1, 127, 128, 129, 300} {
		out := make([]float32, rows*cols)
		labels := make([]int32, rows)
		targets := make([]float32, rows*cols)
		for i := range out {
			out[i] = r.Float32() + 0.01 // positive: also valid probabilities
		}
		for i := range labels {
			labels[i] = int32(r.IntN(cols))
			targets[i*cols+int(labels[i])] = 1
		}
		for _, l := range losses {
			lab, tg := labels, []float32(nil)
			if !l.sparse {
				lab, tg = nil, targets
			}
			wantGrad := make([]float32, rows*cols)
			whole := l.compute(wantGrad, out, lab, tg, rows, cols, 0.5)
			wantCorrect := correct(out, lab, tg, rows, cols)
			var def float64
			for r0 := 0; r0 < rows; r0 += lossBlockRows {
				r1 := min(r0+lossBlockRows, rows)
				var bl []int32
				var bt []float32
				if lab != nil {
					bl = lab[r0:r1]
				} else {
					bt = tg[r0*cols : r1*cols]
				}
				def += l.compute(nil, out[r0*cols:r1*cols], bl, bt, r1-r0, cols, 0)
			}
			if math.Abs(def-whole) > 1e-12*math.Abs(whole)+1e-12 {
				t.Fatalf("%s, %d rows: blocked %v, whole %v", l.name, rows, def, whole)
			}
			for _, th := range []int{1, 2, 3} {
				runtime.SetThreads(th)
				var w lossWork
				grad := make([]float32, rows*cols)
				sum, n := w.run(&l, grad, out, lab, tg, rows, cols, 0.5, true)
				if math.Float64bits(sum) != math.Float64bits(def) || n != wantCorrect {
					t.Fatalf("%s, %d rows, %d threads: loss %v, correct %d; want %v, %d", l.name, rows, th, sum, n, def, wantCorrect)
				}
				for i := range grad {
					if math.Float32bits(grad[i]) != math.Float32bits(wantGrad[i]) {
						t.Fatalf("%s, %d rows, %d threads: grad[%d] = %g, want %g", l.name, rows, th, i, grad[i], wantGrad[i])
					}
				}
			}
		}
	}
}

// TestActivationGradStride: an activation's gradient into rows ldx apart
// (a Dense layer's padded dz) has the bits of the gradient into packed
// rows, on 1, 2 and 3 threads (the passes split at 64-element words that
// fall inside rows), and leaves the padding as it was.
func TestActivationGradStride(t *testing.T) {
	defer runtime.SetThreads(runtime.SetThreads(1))
	r := rand.New(rand.NewPCG(7, 8))
	names := []string{"linear", "relu", "elu", "selu", "tanh", "sigmoid", "softmax"}
	for _, name := range names {
		act, err := lookupActivation(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, cols := range []int{10, 100, 300} {
			for _, rows := range []int{1, 7, 256} {
				n := rows * cols
				dy, y := make([]float32, n), make([]float32, n)
				for i := range dy {
					dy[i], y[i] = r.Float32()-0.5, r.Float32()*2-0.5
				}
				if act.softmax {
					for i := 0; i < rows; i++ {
						asm.Softmax(y[i*cols:(i+1)*cols], y[i*cols:(i+1)*cols], cols)
					}
				}
				var e elementwise
				want := make([]float32, n)
				act.grad(&e, want, cols, dy, y, cols)
				ldx := (cols+15)&^15 + 16
				for _, th := range []int{1, 2, 3} {
					runtime.SetThreads(th)
					dx := make([]float32, rows*ldx)
					for i := range dx {
						dx[i] = 42
					}
					act.grad(&e, dx, ldx, dy, y, cols)
					for i := 0; i < rows; i++ {
						for j := 0; j < ldx; j++ {
							got := dx[i*ldx+j]
							if j >= cols {
								if got != 42 {
									t.Fatalf("%s %dx%d, %d threads: padding (%d, %d) written", name, rows, cols, th, i, j)
								}
								continue
							}
							if math.Float32bits(got) != math.Float32bits(want[i*cols+j]) {
								t.Fatalf("%s %dx%d, %d threads: (%d, %d) = %g, want %g", name, rows, cols, th, i, j, got, want[i*cols+j])
							}
						}
					}
				}
			}
		}
	}
}
