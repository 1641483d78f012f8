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
					if _, err := l.build([]int{in}, 1); err != nil {
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
