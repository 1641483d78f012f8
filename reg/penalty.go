package reg

import (
	"fmt"
	"math"

	"github.com/nnrt/nnrt/asm"
)

// L1L2 is Keras's L1L2 weight penalty: Penalty(w) = L1*sum|w| + L2*sum w².
// A factor of 0 skips its term. The zero value penalizes nothing.
//
// Keras's `l2=λ` equals PyTorch's weight_decay=2λ: there is no 1/2 factor.
type L1L2 struct {
	L1 float32 `json:"l1"`
	L2 float32 `json:"l2"`
}

// L1 returns Keras's regularizers.L1(l1): l1*sum|w|.
func L1(l1 float32) L1L2 { return L1L2{L1: l1} }

// L2 returns Keras's regularizers.L2(l2): l2*sum w².
func L2(l2 float32) L1L2 { return L1L2{L2: l2} }

// Zero reports whether the penalty is identically 0.
func (r L1L2) Zero() bool { return r.L1 == 0 && r.L2 == 0 }

// Validate rejects negative, NaN or infinite factors.
func (r L1L2) Validate() error {
	for _, f := range []struct {
		name string
		v    float32
	}{{"l1", r.L1}, {"l2", r.L2}} {
		v := float64(f.v)
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("reg: %s factor must be finite and >= 0, got %v", f.name, f.v)
		}
	}
	return nil
}

// Penalty returns L1*sum|w| + L2*sum w² without touching any gradient.
func (r L1L2) Penalty(w []float32) float64 {
	var p float64
	if r.L1 != 0 {
		var s float64
		for _, v := range w {
			s += math.Abs(float64(v))
		}
		p += float64(r.L1) * s
	}
	if r.L2 != 0 {
		p += float64(r.L2) * float64(asm.SumSquares(w))
	}
	return p
}

// AddGrad adds the penalty's gradient to g, g[i] += L1*sign(w[i]) + 2*L2*w[i]
// (sign(0) = 0), and returns the penalty of w. It does nothing and returns 0
// when both factors are 0.
func (r L1L2) AddGrad(g, w []float32) float64 {
	if r.Zero() {
		return 0
	}
	return float64(asm.L1L2Grad(g, w, r.L1, r.L2))
}
