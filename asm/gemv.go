package asm

// gemv: the two matrix-vector products a GEMM with one row or one column
// reduces to, and the rank-one update a GEMM of depth one is (blas's Sgemm
// takes them for such shapes: a batch of one, a single output). A packed,
// tiled GEMM computes a whole microkernel tile for the one row it has and
// pays a fixed cost that a product of a few thousand multiply-adds never
// earns back; these kernels stream the matrix once, in its own layout.
//
// Accuracy of the assembly levels against the generic reference:
//   - GemvT fuses each product into its sum, which runs in the order of
//     the Go loop: each element is within n*2^-24*sum|terms| of it, as in
//     GEMM's microkernels (the generic loop rounds the product first,
//     unless the Go compiler fuses it too).
//   - GemvN keeps several partial sums per row and adds them at the end, as
//     Dot does; every row of one call is summed in the same order, whatever
//     its place among the rows.
//   - Ger fuses s*y[j] + beta*c (s = alpha*x[i] and beta*c rounded first):
//     each element is within 1 ulp of the exactly rounded sum of the two.

// Argument-check messages of the gemv kernels.
const (
	gemvErrLda   = "asm: leading dimension shorter than a row"
	gemvErrShort = "asm: matrix shorter than its rows"
)

// GemvN overwrites dst with the product of the row-major matrix a
// (len(dst) rows of len(x) elements, leading dimension lda) and x:
//
//	for i := range dst {
//		var s float32
//		for p := range x {
//			s += a[i*lda+p] * x[p]
//		}
//		dst[i] = s
//	}
//
// It panics unless lda >= max(1, len(x)) and a holds the rows
// (len(a) >= (len(dst)-1)*lda+len(x) when dst is not empty). dst must not
// overlap a or x.
func GemvN(dst, a []float32, lda int, x []float32) { gemvN(vec, dst, a, lda, x) }

// GemvN is GemvN on level g.Level's kernel.
func (g *Gemm) GemvN(dst, a []float32, lda int, x []float32) { gemvN(g.v, dst, a, lda, x) }

func gemvN(k *vecKernels, dst, a []float32, lda int, x []float32) {
	gemvCheck(len(dst), len(x), a, lda)
	k.gemvN(dst, a, lda, x)
}

// GemvT overwrites dst with the product of x and the row-major matrix a
// (len(x) rows of len(dst) elements, leading dimension lda), adding the
// rows in order:
//
//	for j := range dst {
//		dst[j] = 0
//	}
//	for p := range x {
//		for j := range dst {
//			dst[j] += x[p] * a[p*lda+j]
//		}
//	}
//
// It panics unless lda >= max(1, len(dst)) and a holds the rows
// (len(a) >= (len(x)-1)*lda+len(dst) when x is not empty). dst must not
// overlap a or x.
func GemvT(dst, a []float32, lda int, x []float32) { gemvT(vec, dst, a, lda, x) }

// GemvT is GemvT on level g.Level's kernel.
func (g *Gemm) GemvT(dst, a []float32, lda int, x []float32) { gemvT(g.v, dst, a, lda, x) }

func gemvT(k *vecKernels, dst, a []float32, lda int, x []float32) {
	gemvCheck(len(x), len(dst), a, lda)
	k.gemvT(dst, a, lda, x)
}

// Ger computes the rank-one update C = alpha*x*yᵀ + beta*C of the row-major
// len(x)×len(y) matrix c with leading dimension ldc:
//
//	for i := range x {
//		s := alpha * x[i]
//		for j := range y {
//			if beta == 0 {
//				c[i*ldc+j] = s * y[j] // C is not read: NaN in C does not leak
//			} else {
//				c[i*ldc+j] = s*y[j] + beta*c[i*ldc+j]
//			}
//		}
//	}
//
// The SIMD levels fuse the multiply-add. It panics unless
// ldc >= max(1, len(y)) and c holds the rows (len(c) >=
// (len(x)-1)*ldc+len(y) when x is not empty). c must not overlap x or y.
func Ger(c []float32, ldc int, alpha float32, x, y []float32, beta float32) {
	ger(vec, c, ldc, alpha, x, y, beta)
}

// Ger is Ger on level g.Level's kernel.
func (g *Gemm) Ger(c []float32, ldc int, alpha float32, x, y []float32, beta float32) {
	ger(g.v, c, ldc, alpha, x, y, beta)
}

func ger(k *vecKernels, c []float32, ldc int, alpha float32, x, y []float32, beta float32) {
	gemvCheck(len(x), len(y), c, ldc)
	k.ger(c, ldc, x, y, alpha, beta)
}

// GemmRows overwrites the m×n matrix c (row-major, leading dimension ldc)
// with the product of the m×k matrix X, whose element (i, p) is
// x[i*sxi+p*sxp], and the k×n row-major matrix a (leading dimension lda),
// for 2 <= m <= MaxGemmRows (one row is GemvT), as m GemvT's that read a
// once:
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += x[i*sxi+p*sxp] * a[p*lda+j]
//			}
//			c[i*ldc+j] = s
//		}
//	}
//
// with GemvT's order and fused multiply-adds (every element is the
// sequential chain over p). HasGemmRows reports whether the level has
// assembly for it; without, it is the generic loop. It panics on a bad m,
// a leading dimension under n, or a slice too short for its rows.
func (g *Gemm) GemmRows(c []float32, ldc, n int, a []float32, lda int, x []float32, sxi, sxp, m, k int) {
	if m < 2 || m > MaxGemmRows {
		panic("asm: GemmRows: m out of range")
	}
	gemvCheck(m, n, c, ldc)
	gemvCheck(k, n, a, lda)
	if m > 0 && k > 0 && (sxi < 0 || sxp < 0 || len(x) <= (m-1)*sxi+(k-1)*sxp) {
		panic(gemvErrShort)
	}
	if n == 0 {
		return
	}
	if f := g.v.gemmRows[m]; f != nil {
		f(c, ldc, n, a, lda, x, sxi, sxp, k)
		return
	}
	gemmRowsGeneric(c, ldc, n, a, lda, x, sxi, sxp, m, k)
}

// MaxGemmRows is the most rows GemmRows takes.
const MaxGemmRows = 4

// HasGemmRows reports whether level g has assembly for GemmRows of m rows.
func (g *Gemm) HasGemmRows(m int) bool {
	return m >= 2 && m <= MaxGemmRows && g.v.gemmRows[m] != nil
}

// GemvNRows overwrites the m×n matrix c (row-major, leading dimension
// ldc) with the products of the n×k row-major matrix a (leading dimension
// lda) and the m rows of x (k values each, ldx apart), for 2 <= m <=
// MaxGemmRows:
//
//	for r := 0; r < m; r++ {
//		GemvN(c[r*ldc:r*ldc+n], a, lda, x[r*ldx:r*ldx+k])
//	}
//
// bit for bit, on every level (an input gradient dY·Wᵀ of a batch of a
// few). The levels for which HasGemvNRows reports true read a once for
// the m rows, one of its rows at a time; the m GemvN's read it m times.
// It panics on a bad m, a leading dimension under its row, or a slice too
// short for its rows. c must not overlap a or x.
func (g *Gemm) GemvNRows(c []float32, ldc, n int, a []float32, lda int, x []float32, ldx, m, k int) {
	if m < 2 || m > MaxGemmRows {
		panic("asm: GemvNRows: m out of range")
	}
	gemvCheck(m, n, c, ldc)
	gemvCheck(n, k, a, lda)
	gemvCheck(m, k, x, ldx)
	if n == 0 {
		return
	}
	if f := g.v.gemvNRows[m]; f != nil {
		f(c, ldc, n, a, lda, x, ldx, k)
		return
	}
	for r := 0; r < m; r++ {
		g.v.gemvN(c[r*ldc:r*ldc+n], a, lda, x[r*ldx:r*ldx+k])
	}
}

// HasGemvNRows reports whether level g has assembly for GemvNRows of m
// rows (without, GemvNRows is m GemvN's).
func (g *Gemm) HasGemvNRows(m int) bool {
	return m >= 2 && m <= MaxGemmRows && g.v.gemvNRows[m] != nil
}

// gemvCheck panics unless a holds rows rows of cols elements, lda apart.
func gemvCheck(rows, cols int, a []float32, lda int) {
	if lda < max(1, cols) {
		panic(gemvErrLda)
	}
	if rows > 0 && len(a) < (rows-1)*lda+cols {
		panic(gemvErrShort)
	}
}

func gemvNGeneric(dst, a []float32, lda int, x []float32) {
	for i := range dst {
		row := a[i*lda : i*lda+len(x)]
		var s float32
		for p, v := range row {
			s += v * x[p]
		}
		dst[i] = s
	}
}

func gemvTGeneric(dst, a []float32, lda int, x []float32) {
	clear(dst)
	for p, v := range x {
		row := a[p*lda : p*lda+len(dst)]
		for j, w := range row {
			dst[j] += v * w
		}
	}
}

func gerGeneric(c []float32, ldc int, x, y []float32, alpha, beta float32) {
	for i, xi := range x {
		s := alpha * xi
		row := c[i*ldc : i*ldc+len(y)]
		if beta == 0 {
			for j, v := range y {
				row[j] = s * v
			}
			continue
		}
		for j, v := range y {
			row[j] = s*v + beta*row[j]
		}
	}
}

func gemmRowsGeneric(c []float32, ldc, n int, a []float32, lda int, x []float32, sxi, sxp, m, k int) {
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		clear(row)
		for p := 0; p < k; p++ {
			v := x[i*sxi+p*sxp]
			for j, w := range a[p*lda : p*lda+n] {
				row[j] += v * w
			}
		}
	}
}
