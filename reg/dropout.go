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
func (d Dropout) Backward(dx, dy []float32, mask []uint64) { d.Apply(dx, dy, mask) }

// Apply writes dst[i] = x[i]/(1-rate) (as x[i] times the float32
// reciprocal) where bit i of mask is set, else 0: Forward's output for a
// given mask, such as one BroadcastMask expanded from a noise shape; with
// Forward's own mask it equals Forward's output bit for bit. It is also the
// gradient (Backward). len(dst) == len(x).
func (d Dropout) Apply(dst, x []float32, mask []uint64) {
	if d.Rate >= 1 {
		clear(dst[:len(x)])
		return
	}
	asm.DropoutBackward(dst, x, mask, 1/(1-d.Rate))
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

// Apply writes Forward's output for a given mask (such as one
// BroadcastMask expanded from a noise shape): dst[i] = a*x[i] + b where bit
// i of mask is set, else a*α' + b; the input itself when the rate is 0 or 1.
func (d AlphaDropout) Apply(dst, x []float32, mask []uint64) {
	if !d.active() {
		copy(dst, x)
		return
	}
	a, b := asm.AlphaDropoutCoefficients(d.Rate)
	dropped := a*float32(AlphaPrime) + b
	dst = dst[:len(x)]
	for i, v := range x {
		if mask[i>>6]>>(i&63)&1 != 0 {
			dst[i] = a*v + b
		} else {
			dst[i] = dropped
		}
	}
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

// BroadcastMask expands a dropout mask drawn over a noise shape to a
// tensor of the given shape, as Keras broadcasts a noise_shape mask:
// noise has one entry per axis of shape, each either shape[d] (an
// independent draw along the axis) or 1 (one draw shared along it). Bit i
// of full, for the element at multi-index (i_0, ..., i_k) of shape, is
// the bit of reduced at the multi-index with i_d replaced by 0 wherever
// noise[d] == 1. full needs MaskWords(prod(shape)) words and reduced
// MaskWords(prod(noise)); the bits of full past prod(shape) are left
// alone. It panics if an entry of noise is neither 1 nor shape[d].
func BroadcastMask(full, reduced []uint64, shape, noise []int) {
	if len(shape) != len(noise) {
		panic("reg: BroadcastMask: shape and noise have different ranks")
	}
	for d := range shape {
		if noise[d] != 1 && noise[d] != shape[d] {
			panic(fmt.Sprintf("reg: BroadcastMask: noise shape %v does not broadcast to %v", noise, shape))
		}
	}
	broadcastBits(full, reduced, shape, noise, 0, 0)
}

// broadcastBits writes the bits of the sub-tensor of shape starting at
// position fi of full, reading reduced from position ri, and returns the
// position after it. The recursion is as deep as the rank and allocates
// nothing.
func broadcastBits(full, reduced []uint64, shape, noise []int, fi, ri int) int {
	n := shape[0]
	if len(shape) == 1 {
		step := 1
		if noise[0] == 1 {
			step = 0
		}
		for k := 0; k < n; k, fi, ri = k+1, fi+1, ri+step {
			bit := reduced[ri>>6] >> (ri & 63) & 1
			full[fi>>6] = full[fi>>6]&^(1<<(fi&63)) | bit<<(fi&63)
		}
		return fi
	}
	stride := 0 // of axis 0 in reduced
	if noise[0] != 1 {
		stride = 1
		for _, d := range noise[1:] {
			stride *= d
		}
	}
	for k := 0; k < n; k++ {
		fi = broadcastBits(full, reduced, shape[1:], noise[1:], fi, ri+k*stride)
	}
	return fi
}
