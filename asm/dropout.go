package asm

import (
	"math"
	"unsafe"
)

// dropout: inverted dropout and alpha dropout with a counter-based random
// number generator, so that the mask of an element depends only on the seed
// and the element's position, never on the level, the thread or how a
// tensor is split into calls.
//
// # The random bits
//
// The keep decision of position p (the caller's offset plus the index in
// the call) under seed s and rate is, exactly, as Go code:
//
//	func dropoutKeep(s, p uint64, rate float32) bool {
//		k0, k1 := dropoutKeys(s, uint32(p>>32))
//		return dropoutHash(k0, k1, uint32(p)) >= dropoutThreshold(rate)
//	}
//
//	// Two 32-bit keys per seed and 2^32-block of positions (splitmix64:
//	// consecutive seeds give unrelated keys).
//	func dropoutKeys(seed uint64, hi uint32) (k0, k1 uint32) {
//		z := splitmix64(splitmix64(seed) + uint64(hi))
//		return uint32(z), uint32(z >> 32)
//	}
//
//	func splitmix64(x uint64) uint64 {
//		x += 0x9e3779b97f4a7c15
//		x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
//		x = (x ^ x>>27) * 0x94d049bb133111eb
//		return x ^ x>>31
//	}
//
//	// A keyed 32-bit mixer (Wellons's "lowbias32" with the keys added to
//	// the counter and xored in between the two multiplies): a bijection
//	// of lo for fixed keys, built from 32-bit lane operations only
//	// (VPMULLD on x86, MUL .4S on arm64).
//	func dropoutHash(k0, k1, lo uint32) uint32 {
//		h := lo + k0
//		h ^= h >> 16
//		h *= 0x7feb352d
//		h ^= h>>15 ^ k1
//		h *= 0x846ca68b
//		h ^= h >> 16
//		return h
//	}
//
//	// The element is kept when the 32 bits, read as a uniform number
//	// u = h/2^32 in [0, 1), are >= rate (AlphaDropout's "uniform >= rate";
//	// the keep probability is 1-rate within 2^-32).
//	func dropoutThreshold(rate float32) uint32 {
//		return uint32(math.Ceil(float64(rate) * (1 << 32)))
//	}
//
// # Masks
//
// Bit i of the mask (mask[i/64]>>(i%64)&1) is the keep decision of element
// i of the call; the bits from len(x) to the end of the last word are
// cleared, and words after it are not touched. Backward passes read only
// the bits below len(dy).
//
// # Accuracy
//
// The masks are bit-identical on every level. The outputs are one multiply
// (and, for alpha dropout, one add) per element in the order of the loops,
// unfused: bit-identical on every level too.

type dropoutKernels struct {
	// forward writes, for i < len(x) (len(dst) == len(x), mask long enough,
	// its last word cleared by the caller, lo0+len(x)-1 does not wrap):
	//	keep := dropoutHash(k0, k1, lo0+uint32(i)) >= thr
	//	mask bit i = keep
	//	dst[i] = keep ? float32(x[i]*a)+b : c
	// flags: dropoutFlagNT allows non-temporal stores of dst (the caller
	// checks that dst is 64-byte aligned and large); dropoutFlagPlain says
	// that b is -0 and c is 0, which lets a level skip the add and the
	// select (x*a + -0 == x*a). A level may ignore either flag.
	forward func(dst, x []float32, mask []uint64, k0, k1, lo0, thr uint32, a, b, c float32, flags uint32)
	// backward writes dx[i] = bit i ? dy[i]*scale : 0 for i < len(dy)
	// (len(dx) == len(dy), mask long enough); nt != 0 allows non-temporal
	// stores, as dropoutFlagNT for forward.
	backward func(dx, dy []float32, mask []uint64, scale float32, nt uint32)
	// bytes writes, for i < len(src) (len(dst) == len(src), lo0+len(src)-1
	// does not wrap): dst[i] = dropoutHash(k0, k1, lo0+uint32(i)) >= thr ?
	// src[i] : 0
	bytes func(dst, src []uint8, k0, k1, lo0, thr uint32)
}

var dropout = dropoutFor(active)

// Argument-check messages, fixed so that callers and tests can match them.
const (
	dropoutErrLength = "asm: length mismatch"
	dropoutErrRate   = "asm: dropout rate must be in [0, 1)"
	dropoutErrMask   = "asm: dropout mask too short: need (len(x)+63)/64 words"
)

// Flags of the forward kernels.
const (
	dropoutFlagNT    = 1 << 0
	dropoutFlagPlain = 1 << 1
)

// alphaDropoutAlphaP is Keras's alpha' = -scale*alpha of SELU.
const alphaDropoutAlphaP = -1.7580993408473766

// dropoutNTBytes is the output size from which the kernels store with
// non-temporal hints when the output is 64-byte aligned: an output that
// large does not stay in the caches for its reader anyway, and streaming
// it past them saves the read-for-ownership of every line, as Go's memmove
// does for copies of 1 MiB and more. 4 MiB keeps outputs that fit a large
// L2 or a share of L3 cached.
const dropoutNTBytes = 4 << 20

// DropoutForward applies inverted dropout with the given rate to x, writing
// dst and the keep mask:
//
//	scale := 1 / (1 - rate) // float32
//	for i := range x {
//		keep := dropoutKeep(seed, offset+uint64(i), rate)
//		setBit(mask, i, keep)
//		if keep {
//			dst[i] = x[i] * scale
//		} else {
//			dst[i] = 0
//		}
//	}
//
// with dropoutKeep as in the family comment above. Multiplying by the
// float32 reciprocal is TensorFlow's form (tf.nn.dropout); a dropped
// element is 0 even when x[i] is NaN or infinite. At rate 0 every element
// is kept and dst is x bit for bit. offset lets a caller split a tensor into
// calls (or threads) and get the mask of one call. It panics with
// "asm: dropout rate must be in [0, 1)" for any other rate (NaN included),
// with "asm: length mismatch" unless len(dst) == len(x), and with
// "asm: dropout mask too short: ..." unless len(mask) >= (len(x)+63)/64.
// dst may be x.
func DropoutForward(dst, x []float32, mask []uint64, rate float32, seed, offset uint64) {
	dropoutCheck(len(dst), len(x), len(mask), rate)
	dropoutApply(dst, x, mask, dropoutThreshold(rate), seed, offset, 1/(1-rate), 0, 0)
}

// DropoutBackward computes
//
//	for i := range dy {
//		if mask[i/64]>>(i%64)&1 != 0 {
//			dx[i] = dy[i] * scale
//		} else {
//			dx[i] = 0
//		}
//	}
//
// the gradient of DropoutForward (scale = 1/(1-rate), float32) and of
// AlphaDropoutForward (scale = a of AlphaDropoutCoefficients). It panics
// with "asm: length mismatch" unless len(dx) == len(dy), and with the mask
// message unless len(mask) >= (len(dy)+63)/64. dx may be dy.
func DropoutBackward(dx, dy []float32, mask []uint64, scale float32) {
	if len(dx) != len(dy) {
		panic(dropoutErrLength)
	}
	if len(mask) < (len(dy)+63)/64 {
		panic(dropoutErrMask)
	}
	dropout.backward(dx, dy, mask, scale, dropoutNT(dx))
}

// DropoutBytes applies DropoutForward's keep decisions to bytes, without
// the scale: for i := range src, dst[i] = src[i] where
// dropoutKeep(seed, offset+uint64(i), rate), else 0. So for bytes that code
// values x = src/255, DropoutForward(y, x, mask, rate, seed, offset) gives
// y[i] = x[i]/(1-rate) exactly where dst[i] != 0 and 0 elsewhere: a product
// of the kept bytes scaled by 1/(255·(1-rate)) is the product of y up to
// the rounding of each y[i] (nn trains on image bytes this way behind an
// input dropout). No mask is written. It panics as DropoutForward on the
// rate, and with "asm: length mismatch" unless len(dst) == len(src). dst
// may be src.
func DropoutBytes(dst, src []uint8, rate float32, seed, offset uint64) {
	if len(dst) != len(src) {
		panic(dropoutErrLength)
	}
	if !(rate >= 0 && rate < 1) {
		panic(dropoutErrRate)
	}
	thr := dropoutThreshold(rate)
	for i := 0; i < len(src); {
		pos := offset + uint64(i)
		lo := uint32(pos)
		run := len(src) - i
		if room := uint64(1<<32) - uint64(lo); uint64(run) > room {
			run = int(room)
		}
		k0, k1 := dropoutKeys(seed, uint32(pos>>32))
		dropout.bytes(dst[i:i+run], src[i:i+run], k0, k1, lo, thr)
		i += run
	}
}

// AlphaDropoutCoefficients returns Keras's AlphaDropout affine correction
// for rate, computed in float64 and rounded:
//
//	a = ((1-rate) * (1 + rate*alphaP*alphaP))^(-1/2)
//	b = -a * alphaP * rate
//
// with alphaP = -1.7580993408473766 (-scale*alpha of SELU). At rate 0.2,
// a = 0.878904 and b = 0.309040. It panics as DropoutForward on the rate.
func AlphaDropoutCoefficients(rate float32) (a, b float32) {
	if !(rate >= 0 && rate < 1) {
		panic(dropoutErrRate)
	}
	r := float64(rate)
	a64 := 1 / math.Sqrt((1-r)*(1+r*alphaDropoutAlphaP*alphaDropoutAlphaP))
	return float32(a64), float32(-a64 * alphaDropoutAlphaP * r)
}

// AlphaDropoutForward applies Keras's AlphaDropout with the given rate,
// keeping the same elements as DropoutForward with the same seed, offset and
// rate would:
//
//	a, b := AlphaDropoutCoefficients(rate)
//	dropped := a*float32(alphaP) + b // float32 operations
//	for i := range x {
//		keep := dropoutKeep(seed, offset+uint64(i), rate)
//		setBit(mask, i, keep)
//		if keep {
//			dst[i] = a*x[i] + b // rounded after the multiply, then the add
//		} else {
//			dst[i] = dropped
//		}
//	}
//
// Its gradient is DropoutBackward(dx, dy, mask, a). At rate 0, a = 1 and
// b = 0, and dst is x bit for bit (an add of 0 is done as an add of -0, so
// that -0 stays -0). It panics as DropoutForward.
func AlphaDropoutForward(dst, x []float32, mask []uint64, rate float32, seed, offset uint64) {
	dropoutCheck(len(dst), len(x), len(mask), rate)
	a, b := AlphaDropoutCoefficients(rate)
	dropped := float32(a*float32(alphaDropoutAlphaP)) + b
	dropoutApply(dst, x, mask, dropoutThreshold(rate), seed, offset, a, b, dropped)
}

func dropoutCheck(nDst, nX, nMask int, rate float32) {
	if !(rate >= 0 && rate < 1) {
		panic(dropoutErrRate)
	}
	if nDst != nX {
		panic(dropoutErrLength)
	}
	if nMask < (nX+63)/64 {
		panic(dropoutErrMask)
	}
}

// dropoutApply runs the forward kernel over the call's positions
// [offset, offset+len(x)), one run per 2^32-block of positions (the keys
// depend on the block). A run that begins inside a mask word, which happens
// only after a block boundary, first completes that word: the kernel writes
// the rest of the run's bits from bit 0 of the word, which are then shifted
// into place.
func dropoutApply(dst, x []float32, mask []uint64, thr uint32, seed, offset uint64, a, b, c float32) {
	n := len(x)
	if n == 0 {
		return
	}
	if b == 0 {
		b = float32(math.Copysign(0, -1)) // x*a + -0 == x*a for every x, -0 included
	}
	flags := dropoutNT(dst)
	if math.Float32bits(b) == 1<<31 && c == 0 {
		flags |= dropoutFlagPlain
	}
	mask[(n-1)/64] = 0
	for i := 0; i < n; {
		pos := offset + uint64(i)
		lo := uint32(pos)
		run := n - i
		if room := uint64(1<<32) - uint64(lo); uint64(run) > room {
			run = int(room)
		}
		k0, k1 := dropoutKeys(seed, uint32(pos>>32))
		w, s := i/64, uint(i%64)
		if s == 0 {
			dropout.forward(dst[i:i+run], x[i:i+run], mask[w:], k0, k1, lo, thr, a, b, c, flags)
		} else {
			run = min(run, 64-int(s))
			prev := mask[w] & (1<<s - 1)
			mask[w] = 0
			dropout.forward(dst[i:i+run], x[i:i+run], mask[w:w+1], k0, k1, lo, thr, a, b, c, flags)
			mask[w] = prev | mask[w]<<s
		}
		i += run
	}
}

// dropoutNT reports (as dropoutFlagNT) whether stores to dst may bypass the
// caches: dst is large and 64-byte aligned (non-temporal vector stores need
// aligned addresses).
func dropoutNT(dst []float32) uint32 {
	if len(dst)*4 >= dropoutNTBytes && uintptr(unsafe.Pointer(unsafe.SliceData(dst)))%64 == 0 {
		return dropoutFlagNT
	}
	return 0
}

// dropoutKeep, dropoutKeys, dropoutSplitmix64 (splitmix64 in the family
// comment), dropoutHash and dropoutThreshold are the definition of the
// masks; the kernels of every level compute dropoutHash in lanes.
func dropoutKeep(seed, pos uint64, rate float32) bool {
	k0, k1 := dropoutKeys(seed, uint32(pos>>32))
	return dropoutHash(k0, k1, uint32(pos)) >= dropoutThreshold(rate)
}

func dropoutKeys(seed uint64, hi uint32) (k0, k1 uint32) {
	z := dropoutSplitmix64(dropoutSplitmix64(seed) + uint64(hi))
	return uint32(z), uint32(z >> 32)
}

func dropoutSplitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

func dropoutHash(k0, k1, lo uint32) uint32 {
	h := lo + k0
	h ^= h >> 16
	h *= 0x7feb352d
	h ^= h>>15 ^ k1
	h *= 0x846ca68b
	h ^= h >> 16
	return h
}

func dropoutThreshold(rate float32) uint32 {
	return uint32(math.Ceil(float64(rate) * (1 << 32)))
}

var dropoutGeneric = dropoutKernels{
	forward:  dropoutForwardGeneric,
	backward: dropoutBackwardGeneric,
	bytes:    dropoutBytesGeneric,
}

func dropoutBytesGeneric(dst, src []uint8, k0, k1, lo0, thr uint32) {
	dst = dst[:len(src)]
	for i, v := range src {
		if dropoutHash(k0, k1, lo0+uint32(i)) < thr {
			v = 0
		}
		dst[i] = v
	}
}

func dropoutForwardGeneric(dst, x []float32, mask []uint64, k0, k1, lo0, thr uint32, a, b, c float32, _ uint32) {
	dst = dst[:len(x)]
	for w := 0; w*64 < len(x); w++ {
		var bits uint64
		for i := w * 64; i < min(len(x), w*64+64); i++ {
			if dropoutHash(k0, k1, lo0+uint32(i)) >= thr {
				bits |= 1 << (i % 64)
				dst[i] = float32(x[i]*a) + b
			} else {
				dst[i] = c
			}
		}
		mask[w] = bits
	}
}

func dropoutBackwardGeneric(dx, dy []float32, mask []uint64, scale float32, _ uint32) {
	dx = dx[:len(dy)]
	for i, v := range dy {
		if mask[i/64]>>(i%64)&1 != 0 {
			dx[i] = v * scale
		} else {
			dx[i] = 0
		}
	}
}
