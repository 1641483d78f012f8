package blas

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/gonum"
)

// closeTo reports whether got and want agree to tol relative to scale.
func closeTo(got, want []float32, tol float64) (int, bool) {
	for i := range want {
		if math.Abs(float64(got[i])-float64(want[i])) > tol*math.Max(1, math.Abs(float64(want[i]))) {
			return i, false
		}
	}
	return 0, true
}

// TestImplementationVsGonum: gonum's own Sgemm is an independent oracle.
func TestImplementationVsGonum(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 0))
	var ours Implementation
	var theirs gonum.Implementation
	for it := 0; it < 200; it++ {
		m, n, k := 1+r.IntN(90), 1+r.IntN(90), 1+r.IntN(400)
		tA, tB := transposes[r.IntN(2)], transposes[r.IntN(2)]
		p := newProblem(r, tA, tB, m, n, k, 2*r.Float32()-1, []float32{0, 1, 0.3}[r.IntN(3)], r.IntN(4))
		want := append([]float32(nil), p.c()...)
		theirs.Sgemm(tA, tB, m, n, k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, want, p.ldc)
		ours.Sgemm(tA, tB, m, n, k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, p.c(), p.ldc)
		if i, ok := closeTo(p.c(), want, 1e-4*math.Sqrt(float64(k))); !ok {
			t.Fatalf("%v: C offset %d = %g, gonum %g", p, i, p.c()[i], want[i])
		}
	}
}

// TestBlas32Use calls nnrt through gonum's blas32 API, as a gonum user does.
func TestBlas32Use(t *testing.T) {
	blas32.Use(Implementation{})
	defer blas32.Use(gonum.Implementation{})
	r := rand.New(rand.NewPCG(7, 0))
	m, n, k := 37, 53, 129
	a := blas32.General{Rows: m, Cols: k, Stride: k + 3, Data: randFloats(r, m*(k+3))}
	b := blas32.General{Rows: n, Cols: k, Stride: k, Data: randFloats(r, n*k)}
	c := blas32.General{Rows: m, Cols: n, Stride: n, Data: randFloats(r, m*n)}
	want := append([]float32(nil), c.Data...)
	gonum.Implementation{}.Sgemm(NoTrans, Trans, m, n, k, 0.5, a.Data, a.Stride, b.Data, b.Stride, 2, want, n)
	blas32.Gemm(NoTrans, Trans, 0.5, a, b, 2, c)
	if i, ok := closeTo(c.Data, want, 1e-4*math.Sqrt(float64(k))); !ok {
		t.Fatalf("blas32.Gemm: C[%d] = %g, gonum %g", i, c.Data[i], want[i])
	}

	x := blas32.Vector{N: 1000, Inc: 1, Data: randFloats(r, 1000)}
	y := blas32.Vector{N: 1000, Inc: 1, Data: randFloats(r, 1000)}
	var g gonum.Implementation
	if got, want := blas32.Dot(x, y), g.Sdot(1000, x.Data, 1, y.Data, 1); math.Abs(float64(got-want)) > 1e-4 {
		t.Errorf("blas32.Dot = %g, gonum %g", got, want)
	}
	wantY := append([]float32(nil), y.Data...)
	g.Saxpy(1000, 1.5, x.Data, 1, wantY, 1)
	blas32.Axpy(1.5, x, y)
	if i, ok := closeTo(y.Data, wantY, 1e-6); !ok {
		t.Errorf("blas32.Axpy: y[%d] = %g, gonum %g", i, y.Data[i], wantY[i])
	}
	wantX := append([]float32(nil), x.Data...)
	g.Sscal(1000, -1.5, wantX, 1)
	blas32.Scal(-1.5, x)
	if i, ok := closeTo(x.Data, wantX, 0); !ok {
		t.Errorf("blas32.Scal: x[%d] = %g, gonum %g", i, x.Data[i], wantX[i])
	}
	// Strided vectors take gonum's path.
	xs := blas32.Vector{N: 500, Inc: 2, Data: x.Data}
	if got, want := blas32.Asum(xs), g.Sasum(500, x.Data, 2); got != want {
		t.Errorf("blas32.Asum = %g, gonum %g", got, want)
	}
}

// TestSgemvVsGonum: Implementation.Sgemv against gonum's, on both
// transposes, strided vectors, NaN in a y that beta = 0 must not read, and
// the calls it hands to gonum (negative increments, empty shapes).
func TestSgemvVsGonum(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 0))
	var ours Implementation
	var theirs gonum.Implementation
	for it := 0; it < 300; it++ {
		m, n := 1+r.IntN(70), 1+r.IntN(70)
		if it%5 == 0 {
			m, n = 1+r.IntN(3), 200+r.IntN(600)
		}
		if it%7 == 0 {
			m, n = n, m
		}
		tA := transposes[r.IntN(2)]
		lda := n + r.IntN(3)
		incX, incY := 1+r.IntN(3), 1+r.IntN(3)
		if it%11 == 0 {
			incX, incY = -incX, -incY
		}
		lenX, lenY := n, m
		if tA == Trans {
			lenX, lenY = m, n
		}
		absX, absY := max(incX, -incX), max(incY, -incY)
		a := randFloats(r, (m-1)*lda+n)
		x := randFloats(r, (lenX-1)*absX+1)
		y := randFloats(r, (lenY-1)*absY+1)
		alpha := 2*r.Float32() - 1
		beta := []float32{0, 1, 0.3}[r.IntN(3)]
		if beta == 0 {
			for i := range y {
				y[i] = float32(math.NaN())
			}
		}
		want := append([]float32(nil), y...)
		theirs.Sgemv(tA, m, n, alpha, a, lda, x, incX, beta, want, incY)
		ours.Sgemv(tA, m, n, alpha, a, lda, x, incX, beta, y, incY)
		if i, ok := closeTo(y, want, 1e-5*math.Sqrt(float64(lenX))); !ok {
			t.Fatalf("Sgemv %v %dx%d lda %d incX %d incY %d beta %g: y[%d] = %g, gonum %g",
				tA, m, n, lda, incX, incY, beta, i, y[i], want[i])
		}
	}
	// An empty shape leaves y as it is, as gonum does.
	y := []float32{1, 2}
	ours.Sgemv(NoTrans, 2, 0, 1, nil, 1, nil, 1, 0, y, 1)
	if y[0] != 1 || y[1] != 2 {
		t.Errorf("Sgemv with n = 0 changed y: %v", y)
	}
	defer func() {
		if got := recover(); got != shortA {
			t.Errorf("Sgemv with a short A: panic %v, want %q", got, shortA)
		}
	}()
	ours.Sgemv(NoTrans, 2, 3, 1, make([]float32, 5), 3, make([]float32, 3), 1, 0, y, 1)
}

// TestSgerVsGonum: Implementation.Sger against gonum's, with strided
// vectors and a leading dimension past the width. (Negative increments go
// to gonum itself; gonum v0.17's assembly Ger reads before x for them,
// which faults in the race build, so they are not compared here.)
func TestSgerVsGonum(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 0))
	var ours Implementation
	var theirs gonum.Implementation
	for it := 0; it < 200; it++ {
		m, n := 1+r.IntN(70), 1+r.IntN(70)
		if it%5 == 0 {
			m, n = 300+r.IntN(600), 100+r.IntN(300)
		}
		lda := n + r.IntN(3)
		incX, incY := 1+r.IntN(3), 1+r.IntN(3)
		x := randFloats(r, (m-1)*incX+1)
		y := randFloats(r, (n-1)*incY+1)
		a := randFloats(r, (m-1)*lda+n)
		alpha := 2*r.Float32() - 1
		want := append([]float32(nil), a...)
		theirs.Sger(m, n, alpha, x, incX, y, incY, want, lda)
		ours.Sger(m, n, alpha, x, incX, y, incY, a, lda)
		if i, ok := closeTo(a, want, 1e-6); !ok {
			t.Fatalf("Sger %dx%d lda %d incX %d incY %d: a[%d] = %g, gonum %g", m, n, lda, incX, incY, i, a[i], want[i])
		}
	}
}
