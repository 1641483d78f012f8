package asm

import (
	"math"
	"os"
	"sync"
)

// Byte products on AMX-INT8: C = alpha·A·W where A holds bytes (an image
// batch whose values are k/255, multiplied by alpha = 1/255) and W float32.
//
// The tiles multiply unsigned bytes by signed ones and sum in int32,
// exactly, some 20 times as fast as the FMA units multiply float32. W is
// split, column by column, into four signed parts on a fixed-point grid:
// with e the column's exponent (the largest |W[k][j]| below 2^(e+6)),
//
//	W[k][j] = 2^(e-21)·(q0·2^21 + q1·2^14 + q2·2^7 + q3) + r,   q0 in [-64, 64], q1..q3 in [-64, 63],
//
// the balanced base-128 digits of W[k][j]·2^(21-e) rounded to an integer
// (to nearest, even on ties), so the remainder |r| <= 2^(e-22) <=
// 2^-27·max|W[·][j]|, or 2^-142 for the columns of tiny values (e is at
// least -120: a grid of 2^-141, finer than any float32 product that
// counts).
// The tiles give the four sums Sp = Σ_k A[i][k]·qp[k][j] exactly; they are
// combined exactly in int64 (S = S0·2^21 + S1·2^14 + S2·2^7 + S3, below
// 2^53 for depths up to 2^16), converted to float64, and scaled by
// alpha·2^(e-21) with one rounding, then rounded to float32:
//
//	C[i][j] = float32(S·alpha·2^(e-21))             (beta = 0: C not read)
//	C[i][j] = float32(S·alpha·2^(e-21) + beta·C[i][j])   (one fused rounding)
//
// So the product differs from the exact alpha·Σ A·W by the remainders'
// alpha·Σ_k A[i][k]·|r| <= 2^-27·max|W[·][j]|·alpha·Σ_k A[i][k], plus a float32
// rounding: less than the error of a float32 dot product of the same
// depth (the tests hold it to a tighter bound). It is not the float32
// product's rounding: results differ in their last bits from the FMA
// kernels', but not with the thread count (integer sums do not depend on
// their order). W with NaN or ±Inf has no split (BytePackPanel reports
// it) and must be multiplied in float32.
//
// # Layouts
//
// A is row-major bytes with any leading dimension lda: a tile row is 64
// consecutive bytes of one row, read in place. W is packed by panels of
// 32 columns over a depth k rounded up to whole chunks of 64, zero-padded:
// a panel holds the four parts one after the other, a part ByteChunk bytes
// per chunk of depth, a chunk two tiles (columns 0-15, 16-31) of 16 rows
// of 64 bytes, row r holding for each of its 16 columns the four parts'
// bytes of depth 4r..4r+3 in order ("VNNI" layout).

// ByteChunk is the bytes of one chunk of a packed byte panel: 64 values of
// depth by 32 columns.
const ByteChunk = 2048

// ByteDepth is the depth of one chunk.
const ByteDepth = 64

// BytePanelLen returns the bytes of one packed panel of depth k.
func BytePanelLen(k int) int { return 4 * ByteChunks(k) * ByteChunk }

// ByteChunks returns the chunks of depth k.
func ByteChunks(k int) int { return (k + ByteDepth - 1) / ByteDepth }

// ByteMaxDepth is the largest depth whose sums fit the tiles' int32 and
// whose combined sum converts to float64 exactly: 255·64·2^16 < 2^31.
const ByteMaxDepth = 1 << 16

// BytesAvailable reports whether this process can run the byte products:
// the active level offers them (OffersBytes) and the OS granted the tile
// state, at start-up for the amx level (NNRT_ISA=amx), else when the
// first call of this function asked for it.
func BytesAvailable() bool {
	if active == AMX {
		return features.AMXInt8
	}
	return bytesOffered && bytesGranted()
}

// OffersBytes reports whether level l, chosen with NNRT_ISA=capName on a
// CPU with features f, runs the byte products when the OS grants the tile
// state: the amx level, where the CPU has AMX-INT8; and the default level,
// avx512 with capName empty, on an amd64 CPU with AMX-TILE and AMX-INT8
// (a named level keeps the tiles off: NNRT_ISA=avx512 gives the FMA
// kernels' bits). On the default level the tile state is requested from
// the OS by the first BytesAvailable, that is when a program first
// multiplies bytes (nn's Fit on images), not at start-up: once it is
// granted, Linux sizes every signal frame of the process for its 8 KiB
// and refuses smaller alternate signal stacks, which only a program that
// uses the tiles should have to allow (Go's own are 32 KiB); oneDNN asks
// for it the same way. The book's model at batch 256, epochs alternated
// in one process with the byte products on and off: 0.82-0.92 of the time
// (one and two threads).
func OffersBytes(f Features, l Level, capName string) bool {
	if !compiledAsm || f.Arch != "amd64" || !f.TileInt8 {
		return false
	}
	return l == AMX || l == AVX512 && capName == ""
}

var bytesOffered = OffersBytes(features, active, os.Getenv("NNRT_ISA"))

// bytesGranted requests the tile state once.
var bytesGranted = sync.OnceValue(requestAMX)

// ByteScratch is the int32 of ByteKernel's scratch: the four parts' sums
// of two blocks of 32×32 (one written to C while the tiles compute the
// next).
const ByteScratch = 2 * 4 * 32 * 32

// BytePackPanel splits the columns [0, cols) of the k×cols block src
// (row-major, leading dimension ld) into one packed panel dst of
// BytePanelLen(k) bytes (columns cols..31 zero), and writes each column's
// scale 2^(e-21) to scale[0:32]. It reports false when the block holds NaN
// or ±Inf (dst and scale then hold garbage). 1 <= cols <= 32, 1 <= k <=
// ByteMaxDepth.
func BytePackPanel(dst []int8, scale []float64, src []float32, ld, k, cols int) bool {
	if cols < 1 || cols > 32 || k < 1 || k > ByteMaxDepth || ld < cols || len(dst) < BytePanelLen(k) ||
		len(scale) < 32 || len(src) < (k-1)*ld+cols {
		panic("asm: BytePackPanel: bad arguments")
	}
	return bytePackPanel(dst, scale, src, ld, k, cols)
}

// ByteKernel computes rows×cols of C (see above), at most 32 columns: rows
// rows of A from a (leading dimension lda; the bytes [0, 64·chunks) of
// every row up to the next multiple of 32 must be readable, the ones past
// rows and past the depth multiplying zeros or discarded), the packed
// panel b of chunks chunks, its scales, and C[i][j] for i < rows, j < cols
// (row-major, ldc). scratch holds ByteScratch int32.
func ByteKernel(a []uint8, lda int, b []int8, chunks int, scale []float64, alpha, beta float64, c []float32, ldc, rows, cols int, scratch []int32) {
	if rows < 1 || cols < 1 || cols > 32 || chunks < 1 || lda < 1 || ldc < cols ||
		len(a) < ((rows+31)&^31-1)*lda+ByteDepth*chunks || len(b) < 4*chunks*ByteChunk || len(scale) < 32 ||
		len(c) < (rows-1)*ldc+cols || len(scratch) < ByteScratch {
		panic("asm: ByteKernel: bad arguments")
	}
	if compiledAsm && !BytesAvailable() {
		panic("asm: ByteKernel: AMX-INT8 is not available (BytesAvailable)")
	}
	byteKernel(a, lda, b, chunks, scale, alpha, beta, c, ldc, rows, cols, scratch)
}

// byteSplit returns the exponent e of a column whose largest magnitude has
// the float32 bits maxBits (finite), and the factor 2^-e that scales it.
func byteSplit(maxBits uint32) (e int, inv float32) {
	e = max(int(maxBits>>23)-127-5, -120)
	return e, math.Float32frombits(uint32(127-e) << 23)
}

// bytePanelPos returns where a part of a packed panel keeps depth r of
// column j: in chunk r/64, the tile of the column's half, row (r%64)/4,
// the column's dword, byte r%4.
func bytePanelPos(r, j int) int {
	return (r/ByteDepth)*ByteChunk + (j/16)*1024 + (r%ByteDepth/4)*64 + (j%16)*4 + r%4
}

// bytePackPanelGeneric is BytePackPanel in Go: the asm's oracle, bit for bit.
func bytePackPanelGeneric(dst []int8, scale []float64, src []float32, ld, k, cols int) bool {
	chunks := ByteChunks(k)
	clear(dst[:BytePanelLen(k)])
	for j := 0; j < 32; j++ {
		var maxBits uint32
		for r := 0; r < k && j < cols; r++ {
			maxBits = max(maxBits, math.Float32bits(src[r*ld+j])&0x7FFFFFFF)
		}
		if maxBits >= 0x7F800000 {
			return false
		}
		e, inv := byteSplit(maxBits)
		scale[j] = math.Float64frombits(uint64(1023-21+e) << 52)
		for r := 0; r < k && j < cols; r++ {
			// w·2^(21-e), exact (two powers of two: 2^(21-e) alone may
			// not be a float32), rounded to an int n, |n| <= 2^27; its
			// balanced digits in base 128: m = n + 64·(2^14 + 2^7 + 1)
			// has the digits q1..q3 + 64 below 2^21, and q0 = m >> 21
			n := int32(math.RoundToEven(float64(src[r*ld+j] * inv * (1 << 21))))
			m := n + 1<<20 + 1<<13 + 1<<6
			// byte r%4 of column j's dword in row (r%64)/4 of its tile
			pos := bytePanelPos(r, j)
			dst[pos] = int8(m >> 21)
			for p := 1; p < 4; p++ {
				dst[p*chunks*ByteChunk+pos] = int8(m>>(21-7*p)&127 - 64)
			}
		}
	}
	return true
}

// byteKernelGeneric is ByteKernel in Go: the asm's oracle, bit for bit
// (the sums are exact; the conversions and the one multiply or fused
// multiply-add are IEEE's).
func byteKernelGeneric(a []uint8, lda int, b []int8, chunks int, scale []float64, alpha, beta float64, c []float32, ldc, rows, cols int, _ []int32) {
	k := chunks * ByteDepth
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			var s int64
			for p := 0; p < 4; p++ {
				var sp int64
				for r := 0; r < k; r++ {
					pos := p*chunks*ByteChunk + bytePanelPos(r, j)
					sp += int64(a[i*lda+r]) * int64(b[pos])
				}
				s += sp << (7 * (3 - p))
			}
			f := alpha * scale[j]
			ci := i*ldc + j
			if beta == 0 {
				c[ci] = float32(float64(s) * f)
			} else {
				c[ci] = float32(math.FMA(float64(s), f, beta*float64(c[ci])))
			}
		}
	}
}

// ByteTranspose writes the transpose of the rows×cols bytes src (row-major,
// leading dimension lds) to dst (cols×rows, leading dimension ldd): a
// batch's bytes as the A of dW = xᵀ·dZ. On amd64 with AVX-512, blocks of
// 16 rows by 64 columns move as a transpose of 16×16 dwords and a
// shuffle; the edges byte by byte.
func ByteTranspose(dst []uint8, ldd int, src []uint8, lds, rows, cols int) {
	if rows < 0 || cols < 0 || lds < cols || ldd < rows ||
		(rows > 0 && cols > 0 && (len(src) < (rows-1)*lds+cols || len(dst) < (cols-1)*ldd+rows)) {
		panic("asm: ByteTranspose: bad arguments")
	}
	rb, cb := 0, 0
	if byteTransposeFast() {
		rb, cb = rows/16, cols/64
		if rb > 0 && cb > 0 {
			byteTranspose(dst, ldd, src, lds, rb, cb)
		} else {
			rb, cb = 0, 0
		}
	}
	// the edges: rows past the blocks (all columns), columns past them
	if rows > 16*rb {
		byteTransposeGeneric(dst[16*rb:], ldd, src[16*rb*lds:], lds, rows-16*rb, cols)
	}
	if cols > 64*cb {
		byteTransposeGeneric(dst[64*cb*ldd:], ldd, src[64*cb:], lds, 16*rb, cols-64*cb)
	}
}

func byteTransposeGeneric(dst []uint8, ldd int, src []uint8, lds, rows, cols int) {
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			dst[j*ldd+i] = src[i*lds+j]
		}
	}
}
