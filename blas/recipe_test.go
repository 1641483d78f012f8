package blas

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/nnrt/nnrt/runtime"
)

// reset empties the book (tests only: no product may be in flight).
func (rb *recipeBook) reset() {
	for i := range rb.slots {
		rb.slots[i].Store(nil)
	}
}

// emptyBook sets one thread and empties the active level's recipes for
// the test, and again after it.
func emptyBook(t *testing.T) *driver {
	prev := runtime.SetThreads(1)
	d := active
	d.recipes.reset()
	t.Cleanup(func() {
		d.recipes.reset()
		runtime.SetThreads(prev)
	})
	return d
}

// loopsResult returns the cbuf (C and its guard bands) that the loops,
// without recipes, leave for p.
func (p *problem) loopsResult(d *driver) []float32 {
	q := *p
	q.cbuf = append([]float32(nil), p.cbuf...)
	aT, bT := p.tA == Trans, p.tB == Trans
	d.product(nil, d.plans(aT, bT, p.m, p.n, p.k), aT, bT, p.m, p.n, p.k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, q.c(), p.ldc)
	return q.cbuf
}

// gemm runs p through the driver's gemm, where recipes are made and
// replayed (Sgemm takes its matrix-vector products elsewhere).
func (p *problem) gemm(d *driver) {
	d.gemm(p.tA == Trans, p.tB == Trans, p.m, p.n, p.k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, p.c(), p.ldc)
}

// sameCBuf fails t unless got and want, C with its guard bands, hold the
// same bits.
func sameCBuf(t *testing.T, p *problem, what string, got, want []float32) {
	t.Helper()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%v: %s: cbuf[%d] = %g, the loops give %g", p, what, i, got[i], want[i])
		}
	}
}

// TestRecipeReplaysTheLoops: a small product's first call (which records
// its recipe) and later calls of its shape with other operands, alpha and
// beta (which replay it) leave C and its guard bands with the loops' bits,
// on every boundary shape of the level, transposes, leading dimensions and
// class of beta.
func TestRecipeReplaysTheLoops(t *testing.T) {
	defer runtime.SetThreads(runtime.SetThreads(1))
	forEachLevel(t, func(t *testing.T, d *driver) {
		r := rand.New(rand.NewPCG(11, uint64(d.g.Level)))
		ms, ns, ks := testDims(d)
		ms = append(ms, 32, 100)
		ns = append(ns, 10, 100)
		ks = append(ks, 10, 32, 100)
		// alpha and beta of the first call and of the replay: the same
		// class of beta, other values
		coefs := [][4]float32{{1, 0, -0.5, 0}, {-0.75, 1, 2, 1}, {1.5, -0.5, 0.25, 3}}
		recorded, replayed := 0, 0
		for _, m := range ms {
			for _, n := range ns {
				for _, k := range ks {
					if testing.Short() && r.IntN(4) != 0 {
						continue
					}
					for _, tA := range transposes {
						for _, tB := range transposes {
							if _, ok := d.recipePlan(tA == Trans, tB == Trans, m, n, k); !ok {
								continue
							}
							d.recipes.reset()
							c := coefs[r.IntN(len(coefs))]
							pad := r.IntN(3)
							p := newProblem(r, tA, tB, m, n, k, c[0], c[1], pad)
							want := p.loopsResult(d)
							p.gemm(d)
							sameCBuf(t, p, "recording", p.cbuf, want)
							key := keyOf(tA == Trans, tB == Trans, m, n, k, p.beta, p.lda, p.ldb, p.ldc)
							if rp, _ := d.recipes.find(key); rp == nil {
								t.Fatalf("%v: no recipe, nor a note that the shape runs the loops", p)
							} else if rp.loops {
								continue // a path recipes do not take (splitK's trees)
							}
							recorded++
							// A replay, on new operands (ld as before).
							q := newProblem(r, tA, tB, m, n, k, c[2], c[3], pad)
							want = q.loopsResult(d)
							q.gemm(d)
							sameCBuf(t, q, "replay", q.cbuf, want)
							q.check(t)
							replayed++
						}
					}
				}
			}
		}
		if recorded == 0 || replayed != recorded {
			t.Fatalf("%d recipes recorded, %d replayed", recorded, replayed)
		}
		t.Logf("%d recipes recorded and replayed", recorded)
	})
}

// TestRecipeSharedOperands: A and B in one slice (which BLAS allows) make
// no recipe, whose offsets could not tell them apart, and the product is
// still right.
func TestRecipeSharedOperands(t *testing.T) {
	d := emptyBook(t)
	r := rand.New(rand.NewPCG(12, 0))
	for i := 0; i < 2; i++ {
		p := newProblem(r, NoTrans, Trans, 20, 20, 30, 1, 0, 0)
		p.b = p.a // A·Aᵀ
		p.ldb = p.lda
		want := p.loopsResult(d)
		p.gemm(d)
		sameCBuf(t, p, "shared operands", p.cbuf, want)
		p.check(t)
	}
	if rp, _ := d.recipes.find(keyOf(false, true, 20, 20, 30, 0, 30, 30, 20)); rp == nil || !rp.loops {
		t.Fatal("a product whose A and B share memory made a recipe, or no note that its shape runs the loops")
	}
}

// TestRecipeBookFull: with no room left in the book, small products run
// the loops, right, and allocate nothing.
func TestRecipeBookFull(t *testing.T) {
	d := emptyBook(t)
	stranger := &recipe{key: recipeKey{^uint64(0)}}
	for i := range d.recipes.slots {
		d.recipes.slots[i].Store(stranger)
	}
	r := rand.New(rand.NewPCG(13, 0))
	p := newProblem(r, NoTrans, Trans, 32, 100, 10, 1, 0, 0)
	want := p.loopsResult(d)
	p.gemm(d)
	sameCBuf(t, p, "book full", p.cbuf, want)
	if rp, room := d.recipes.find(keyOf(false, true, 32, 100, 10, 0, p.lda, p.ldb, p.ldc)); rp != nil || room {
		t.Fatal("a full book took a recipe")
	}
	if !raceEnabled {
		if n := testing.AllocsPerRun(20, func() { p.gemm(d) }); n > 0 {
			t.Errorf("%v allocations per product with the book full", n)
		}
	}
}

// TestRecipeKey: the key gives back its shape, and differs in each of
// its parts.
func TestRecipeKey(t *testing.T) {
	k := keyOf(true, false, 1<<21-1, 7, 1<<20, 0.5, 9, 10, 11)
	aT, bT, m, n, lda, ldb, ldc, depth, beta := k.shape()
	if !aT || bT || m != 1<<21-1 || n != 7 || depth != 1<<20 || lda != 9 || ldb != 10 || ldc != 11 || beta != betaOther {
		t.Fatalf("shape() = %v %v %d %d %d %d %d %d %d", aT, bT, m, n, lda, ldb, ldc, depth, beta)
	}
	others := []recipeKey{
		keyOf(false, false, 1<<21-1, 7, 1<<20, 0.5, 9, 10, 11),
		keyOf(true, true, 1<<21-1, 7, 1<<20, 0.5, 9, 10, 11),
		keyOf(true, false, 1<<21-2, 7, 1<<20, 0.5, 9, 10, 11),
		keyOf(true, false, 1<<21-1, 8, 1<<20, 0.5, 9, 10, 11),
		keyOf(true, false, 1<<21-1, 7, 1<<20-1, 0.5, 9, 10, 11),
		keyOf(true, false, 1<<21-1, 7, 1<<20, 0, 9, 10, 11),
		keyOf(true, false, 1<<21-1, 7, 1<<20, 1, 9, 10, 11),
		keyOf(true, false, 1<<21-1, 7, 1<<20, 0.5, 8, 10, 11),
		keyOf(true, false, 1<<21-1, 7, 1<<20, 0.5, 9, 9, 11),
		keyOf(true, false, 1<<21-1, 7, 1<<20, 0.5, 9, 10, 12),
	}
	for i, o := range others {
		if o == k {
			t.Errorf("key %d equals the first", i)
		}
	}
	if keyOf(true, false, 1<<21-1, 7, 1<<20, -3, 9, 10, 11) != k {
		t.Error("betas of one class give different keys")
	}
	// A dimension the key cannot hold takes no recipe, however cheap.
	defer runtime.SetThreads(runtime.SetThreads(1))
	if _, ok := active.recipePlan(true, false, keyDimLimit, 2, 2); ok {
		t.Error("a product of 2^21 rows may take a recipe")
	}
	if _, ok := active.recipePlan(true, false, keyDimLimit-1, 2, 2); !ok {
		t.Error("a product of 2^21-1 rows, A transposed, on one thread, takes no recipe")
	}
}

// TestRecipeTooLong: a product of more than maxRecipeSteps kernel calls
// (here a row of tiles each) leaves the note that its shape runs the
// loops, and later calls run them, right.
func TestRecipeTooLong(t *testing.T) {
	d := emptyBook(t)
	r := rand.New(rand.NewPCG(14, 0))
	m := (maxRecipeSteps + 10) * d.g.MR
	for i := 0; i < 2; i++ {
		p := newProblem(r, Trans, NoTrans, m, d.g.NR, 3, 1, 0, 0)
		want := p.loopsResult(d)
		p.gemm(d)
		sameCBuf(t, p, "too long", p.cbuf, want)
		if rp, _ := d.recipes.find(keyOf(true, false, m, d.g.NR, 3, 0, p.lda, p.ldb, p.ldc)); rp == nil || !rp.loops {
			t.Fatalf("%v: no note that the shape runs the loops", p)
		}
	}
}
