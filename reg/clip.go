package reg

import (
	"fmt"
	"math"

	"github.com/nnrt/nnrt/asm"
)

// Clip is a Keras optimizer's gradient clipping: at most one of Norm
// (clipnorm: each gradient scaled to norm <= Norm), Value (clipvalue: each
// element clipped to [-Value, Value]) and GlobalNorm (global_clipnorm: all
// gradients scaled together so their joint norm is <= GlobalNorm) is set;
// 0 means unset. Keras raises when more than one is set; Validate does too.
type Clip struct {
	Norm       float32 `json:"clipnorm,omitempty"`
	Value      float32 `json:"clipvalue,omitempty"`
	GlobalNorm float32 `json:"global_clipnorm,omitempty"`
}

// Validate checks that at most one mode is set and that it is finite and > 0.
func (c Clip) Validate() error {
	set := 0
	for _, f := range []struct {
		name string
		v    float32
	}{{"clipnorm", c.Norm}, {"clipvalue", c.Value}, {"global_clipnorm", c.GlobalNorm}} {
		if f.v == 0 {
			continue
		}
		set++
		if !(f.v > 0) || math.IsInf(float64(f.v), 0) {
			return fmt.Errorf("reg: %s must be finite and > 0, got %v", f.name, f.v)
		}
	}
	if set > 1 {
		return fmt.Errorf("reg: only one of clipnorm, clipvalue and global_clipnorm can be set")
	}
	return nil
}

// Active reports whether any clipping is set.
func (c Clip) Active() bool { return c.Norm != 0 || c.Value != 0 || c.GlobalNorm != 0 }

// Apply clips the gradients in place. With GlobalNorm, every gradient is
// multiplied by GlobalNorm/max(norm, GlobalNorm), norm being the L2 norm of
// all of them together (TF's clip_by_global_norm).
func (c Clip) Apply(grads [][]float32) {
	switch {
	case c.Norm != 0:
		for _, g := range grads {
			asm.ClipByNorm(g, c.Norm)
		}
	case c.Value != 0:
		for _, g := range grads {
			asm.ClipByValue(g, -c.Value, c.Value)
		}
	case c.GlobalNorm != 0:
		n := asm.GlobalNorm(grads...)
		if n > c.GlobalNorm {
			s := c.GlobalNorm / n
			for _, g := range grads {
				asm.Scale(s, g)
			}
		}
	}
}
