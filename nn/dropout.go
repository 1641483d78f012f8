package nn

import (
	"fmt"

	"github.com/nnrt/nnrt/asm"
	"github.com/nnrt/nnrt/reg"
	"github.com/nnrt/nnrt/runtime"
)

// dropoutLayer is Dropout, or AlphaDropout when alpha: active in training
// and in MC Dropout's predictions (PredictMC), the identity otherwise.
type dropoutLayer struct {
	layerBase
	alpha      bool
	rate       float32
	noiseShape []int // as configured (0 = the input's dimension); nil for none
	d          reg.Dropout
	ad         reg.AlphaDropout
	offset     uint64 // counter position of the next mask, advanced by every training pass
	active     bool   // the last forward applied a mask
	mask       []uint64
	par        elementwise // the passes of the full-shape mask, split across threads

	// With a noise shape that broadcasts: the batch's shape and the shape
	// the mask is drawn over (axis 0 set per batch), and the drawn mask.
	shape, noise []int
	rmask        []uint64

	// During a training step whose batch a later layer multiplies as bytes
	// (Sequential.byteDrop): the batch's bytes (rows of ldb) and where the
	// forward pass puts the ones it keeps. The pass then draws its keep
	// decisions into kept only, at bytesOffset, and leaves its float
	// output to decodeBytes.
	bytes, kept []uint8
	ldb         int
	bytesOffset uint64
	keepRows    keepBytes
}

// Dropout is Keras's inverted Dropout(rate, noise_shape): active in
// training (and in PredictMC), the identity otherwise. noiseShape, if
// given, has one entry for the batch axis and one per axis of the input
// sample; each is 0 (Keras's None: the input's dimension), 1 (one mask
// value shared along the axis) or the input's dimension. Dropout(0.5, 0, 1)
// on (batch, features) drops whole samples, Dropout(0.5, 1, 0) drops the
// same features in every sample of a batch. The mask is drawn over the
// noise shape and broadcast, as Keras does.
func Dropout(rate float32, noiseShape ...int) Layer {
	return &dropoutLayer{rate: rate, noiseShape: cloneInts(noiseShape)}
}

// AlphaDropout is Keras's AlphaDropout(rate, noise_shape) for
// self-normalizing (SELU) networks; noiseShape as for Dropout.
func AlphaDropout(rate float32, noiseShape ...int) Layer {
	return &dropoutLayer{rate: rate, alpha: true, noiseShape: cloneInts(noiseShape)}
}

func cloneInts(s []int) []int {
	if len(s) == 0 {
		return nil
	}
	return append([]int(nil), s...)
}

func (l *dropoutLayer) Spec() LayerSpec {
	k := "dropout"
	if l.alpha {
		k = "alpha_dropout"
	}
	return LayerSpec{Kind: k, Name: l.name, Rate: l.rate, NoiseShape: cloneInts(l.noiseShape)}
}

func (l *dropoutLayer) build(in []int, seed uint64, _ *paramBudget) ([]int, error) {
	l.d = reg.Dropout{Rate: l.rate, Seed: seed}
	l.ad = reg.AlphaDropout{Rate: l.rate, Seed: seed}
	var err error
	if l.alpha {
		err = l.ad.Validate()
	} else {
		err = l.d.Validate()
	}
	if err != nil {
		return nil, err
	}
	l.shape, l.noise = nil, nil
	if ns := l.noiseShape; ns != nil {
		if len(ns) != len(in)+1 {
			return nil, fmt.Errorf("noise_shape %v needs %d entries (batch and input shape %v)", ns, len(in)+1, in)
		}
		if ns[0] != 0 && ns[0] != 1 {
			return nil, fmt.Errorf("noise_shape %v: the batch entry must be 0 (None) or 1, got %d", ns, ns[0])
		}
		// the shape of a batch (axis 0 set per batch) and the shape the mask is drawn over
		shape := append([]int{0}, in...)
		noise := append([]int{0}, in...)
		broadcast := ns[0] == 1
		for d := 1; d < len(ns); d++ {
			switch ns[d] {
			case 0, in[d-1]:
			case 1:
				noise[d] = 1
				broadcast = true
			default:
				return nil, fmt.Errorf("noise_shape %v does not broadcast to input shape %v: entry %d must be 0, 1 or %d", ns, in, d, in[d-1])
			}
		}
		if broadcast { // otherwise the mask is drawn over the whole input, as without a noise shape
			l.shape, l.noise = shape, noise
		}
	}
	l.offset = 0
	l.setShapes(in, in)
	return l.out, nil
}

func (l *dropoutLayer) reserve(rows int) {
	l.reserveIO(rows)
	n := reg.MaskWords(rows * l.inSize)
	if cap(l.mask) < n {
		l.mask = make([]uint64, n)
	}
	if l.noise != nil && cap(l.rmask) < n {
		l.rmask = make([]uint64, n)
	}
}

func (l *dropoutLayer) forward(x []float32, rows int, m mode) []float32 {
	l.active = (m == training || m == mcDropout) && l.rate > 0
	if !l.active {
		return x
	}
	n := rows * l.inSize
	if l.bytes != nil && m == training {
		l.bytesOffset = l.offset
		k := &l.keepRows
		*k = keepBytes{l: l}
		if runtime.Threads() > 1 && n >= parallelElems {
			runtime.ParallelFor(rows, 16, k)
		} else {
			k.Range(0, rows)
		}
		*k = keepBytes{}
		l.offset += uint64(n)
		return l.y[:n]
	}
	y, mask := l.y[:n], l.mask[:reg.MaskWords(n)]
	if l.noise != nil {
		l.forwardBroadcast(y, x[:n], mask, rows)
		return y
	}
	e := &l.par
	e.dst, e.x, e.mask, e.offset = y, x[:n], mask, l.offset
	l.run(n, dropoutForward, alphaDropoutForward)
	l.offset += uint64(n)
	return y
}

// keepBytes is the byte pass's runtime.Body: rows [lo, hi) of the batch.
// Row r's elements are at positions bytesOffset + r·inSize of the mask
// stream, as in the float pass over the whole batch.
type keepBytes struct{ l *dropoutLayer }

func (k *keepBytes) Range(lo, hi int) {
	l := k.l
	in := l.inSize
	for r := lo; r < hi; r++ {
		asm.DropoutBytes(l.kept[r*l.ldb:r*l.ldb+in], l.bytes[r*l.ldb:r*l.ldb+in], l.rate, l.d.Seed, l.bytesOffset+uint64(r*in))
	}
}

// decodeBytes writes into y (rows×inSize) the forward pass's output for
// the batch of l.bytes: the bytes decoded (k/255) and dropped with the
// step's mask, as the float pass would have made them, bit for bit.
func (l *dropoutLayer) decodeBytes(y []float32, rows int) {
	in := l.inSize
	for r := 0; r < rows; r++ {
		asm.Over255(y[r*in:(r+1)*in], l.bytes[r*l.ldb:r*l.ldb+in])
	}
	n := rows * in
	l.d.Forward(y[:n], y[:n], l.mask[:reg.MaskWords(n)], l.bytesOffset)
}

// run runs the plain or the alpha variant of a pass over n elements, on
// the operands set in l.par.
func (l *dropoutLayer) run(n int, plain, alpha func(e *elementwise, lo, hi int)) {
	if l.alpha {
		l.par.alpha = l.ad
		l.par.run(alpha, n)
	} else {
		l.par.drop = l.d
		l.par.run(plain, n)
	}
}

// forwardBroadcast draws the mask over the noise shape (the kernels' keep
// decisions for that many positions, written to a scratch prefix of y),
// broadcasts it to the batch and applies it.
func (l *dropoutLayer) forwardBroadcast(y, x []float32, mask []uint64, rows int) {
	l.shape[0], l.noise[0] = rows, rows
	if l.noiseShape[0] == 1 {
		l.noise[0] = 1
	}
	nr := prod(l.noise)
	rmask := l.rmask[:reg.MaskWords(nr)]
	if l.alpha {
		l.ad.Forward(y[:nr], x[:nr], rmask, l.offset)
	} else {
		l.d.Forward(y[:nr], x[:nr], rmask, l.offset)
	}
	l.offset += uint64(nr)
	reg.BroadcastMask(mask, rmask, l.shape, l.noise)
	if l.alpha {
		l.ad.Apply(y, x, mask)
	} else {
		l.d.Apply(y, x, mask)
	}
}

func (l *dropoutLayer) backward(dy []float32, rows int, _ bool) []float32 {
	if !l.active {
		return dy
	}
	n := rows * l.inSize
	dx := l.dx[:n]
	e := &l.par
	e.dst, e.x, e.mask = dx, dy[:n], l.mask[:reg.MaskWords(n)]
	l.run(n, dropoutBackward, alphaDropoutBackward)
	return dx
}
