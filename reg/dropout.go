package reg

import (
	"fmt"

	"github.com/nnrt/nnrt/asm"
)

// MaskWords returns the number of uint64 words a dropout mask over n values needs.
func MaskWords(n int) int { return (n + 63) / 64 }

// Dropout is Keras's inverted Dropout(rate, seed): in training, each value
// is kept with probability 1-rate and scaled by 1/(1-rate), else zeroed. The
// keep decision of value i is a hash of (Seed, offset+i), so the same seed
// and offsets give the same masks on every ISA level and thread count.
type Dropout struct {
	Rate float32
	Seed uint64
}

// Validate rejects rates outside [0, 1].
func (d Dropout) Validate() error {
	if !(d.Rate >= 0 && d.Rate <= 1) {
		return fmt.Errorf("reg: dropout rate must be in [0, 1], got %v", d.Rate)
	}
	return nil
}

// Forward writes the training-mode output of x to dst and the keep mask
// (bit i of mask = value i kept) to mask, which has MaskWords(len(x)) words;
// len(dst) == len(x).
// Rate 0 copies x and keeps everything; rate 1 zeroes dst and keeps nothing
// (Keras returns zeros), so Backward stays exact in both cases.
func (d Dropout) Forward(dst, x []float32, mask []uint64, offset uint64) {
	switch {
	case d.Rate == 0:
		copy(dst, x)
		fillMask(mask, len(x), true)
	case d.Rate >= 1:
		clear(dst[:len(x)])
		fillMask(mask, len(x), false)
	default:
		asm.DropoutForward(dst, x, mask, d.Rate, d.Seed, offset)
	}
}

// Backward writes dx[i] = dy[i]/(1-rate) where value i was kept, else 0;
// len(dx) == len(dy).
func (d Dropout) Backward(dx, dy []float32, mask []uint64) {
	if d.Rate >= 1 {
		clear(dx[:len(dy)])
		return
	}
	asm.DropoutBackward(dx, dy, mask, 1/(1-d.Rate))
}

// AlphaDropout is Keras's AlphaDropout(rate, seed) for SELU networks: the
// same keep decision as Dropout, then dst = a*x + b for kept values and
// a*α' + b for dropped ones, with α' = -1.7580993408473766,
// a = ((1-rate)(1+rate·α'²))^-½ and b = -a·α'·rate, so a standardized input
// keeps mean 0 and variance 1. Keras applies it only for 0 < rate < 1;
// other rates pass the input through.
type AlphaDropout struct {
	Rate float32
	Seed uint64
}

// AlphaPrime is -λα of SELU: the value a dropped unit takes before the affine correction.
const AlphaPrime = -1.7580993408473766

// Validate rejects rates outside [0, 1].
func (d AlphaDropout) Validate() error {
	if !(d.Rate >= 0 && d.Rate <= 1) {
		return fmt.Errorf("reg: alpha dropout rate must be in [0, 1], got %v", d.Rate)
	}
	return nil
}

func (d AlphaDropout) active() bool { return d.Rate > 0 && d.Rate < 1 }

// Forward writes the training-mode output and the keep mask.
func (d AlphaDropout) Forward(dst, x []float32, mask []uint64, offset uint64) {
	if !d.active() {
		copy(dst, x)
		fillMask(mask, len(x), true)
		return
	}
	asm.AlphaDropoutForward(dst, x, mask, d.Rate, d.Seed, offset)
}

// Backward writes dx[i] = a*dy[i] where value i was kept, else 0 (the
// dropped units output a constant).
func (d AlphaDropout) Backward(dx, dy []float32, mask []uint64) {
	if !d.active() {
		copy(dx, dy)
		return
	}
	a, _ := asm.AlphaDropoutCoefficients(d.Rate)
	asm.DropoutBackward(dx, dy, mask, a)
}

func fillMask(mask []uint64, n int, keep bool) {
	w := MaskWords(n)
	for i := range mask[:w] {
		mask[i] = 0
		if keep {
			mask[i] = ^uint64(0)
		}
	}
	if keep && n%64 != 0 {
		mask[w-1] = 1<<(n%64) - 1
	}
}
