package blas

import (
	"sync/atomic"
	"unsafe"

	"github.com/nnrt/nnrt/asm"
	"github.com/nnrt/nnrt/runtime"
)

// Recipes. A product that runs on one thread and never gathers (see
// gathers: products under gatherMinWork multiply-adds, and those with a
// transposed A at any size) makes the same kernel calls each time its
// shape comes back, as a network's products do every step: the plan, the
// blocking, the packing choices and the tiles depend on the shape, the
// leading dimensions, whether beta is 0 or 1, and the level only. Its
// first call runs the loops with a recorder, which notes every kernel
// call with its operands as offsets into A, B, C or a scratch buffer;
// later calls of the shape replay the list, through the same checked
// kernels, with their own operands, alpha and beta. The bits are those of
// the loops, call for call. The loops' own Go (the plan, the call's
// setup, the blocking loops, the workspace) had cost 190 ns of the 1.05 µs
// of NT 32x100x10, the book's last layer's input gradient at batch 32, and
// some 50 ns a row of tiles in the weight gradients of depth 32 (TN
// 784x300x32: 5% of its time).
const recipeMaxWork = gatherMinWork

// maxRecipeSteps bounds a recipe: a product of more calls runs the loops,
// whose Go is then a negligible part of it.
const maxRecipeSteps = 1024

// recipeKey is what the kernel calls of a small product depend on: m, n
// and k (each under keyDimLimit) in the first word, lda, ldb and ldc, and
// the transposes and beta's class in the last.
type recipeKey [5]uint64

func keyOf(aT, bT bool, m, n, k int, beta float32, lda, ldb, ldc int) recipeKey {
	f := uint64(classOf(beta)) << 2
	if aT {
		f |= 1
	}
	if bT {
		f |= 2
	}
	return recipeKey{uint64(m) | uint64(n)<<21 | uint64(k)<<42, uint64(lda), uint64(ldb), uint64(ldc), f}
}

// shape returns the key's product.
func (k recipeKey) shape() (aT, bT bool, m, n, lda, ldb, ldc, depth int, beta betaClass) {
	const mask = 1<<21 - 1
	w, f := k[0], k[4]
	return f&1 != 0, f&2 != 0, int(w & mask), int(w >> 21 & mask), int(k[1]), int(k[2]), int(k[3]), int(w >> 42 & mask), betaClass(f >> 2)
}

// betaClass sorts beta by the paths it takes: 0 (C is not read, a
// partial last row of tiles may be shifted), 1 (a flipped product adds
// its result), any other value.
type betaClass uint8

const (
	betaZero betaClass = iota
	betaOne
	betaOther
)

func classOf(beta float32) betaClass {
	switch beta {
	case 0:
		return betaZero
	case 1:
		return betaOne
	}
	return betaOther
}

// recipePlan returns the product's plan and whether it runs on one thread
// and never gathers, so that its kernel calls follow from its recipeKey.
func (d *driver) recipePlan(aT, bT bool, m, n, k int) (plan, bool) {
	pl := d.plans(aT, bT, m, n, k)
	loopsAT := aT // the loops' A: op(B)ᵀ when flipped
	if pl&planFlip != 0 {
		loopsAT = !bT
	}
	return pl, (m*n*k < recipeMaxWork || loopsAT) && (oneThread(loopsAT, m, n, k) || runtime.Threads() == 1) &&
		max(m, n, k) < keyDimLimit
}

// keyDimLimit bounds m, n and k of a product with a recipe: the key holds
// each in 21 bits.
const keyDimLimit = 1 << 21

// Operand numbers of a recipe's buffers: A, B, C, then its scratch
// buffers in the order the loops took them.
const (
	bufA = iota
	bufB
	bufC
	bufScratch
	maxBufs = bufScratch + 6
)

// ref is a slice operand of a kernel call: the elements from off of
// buffer buf, to the buffer's end or n of them; buf < 0 is nil.
type ref struct {
	buf    int8
	toEnd  bool
	off, n int
}

// coef is a kernel call's beta: the product's, or a value the loops chose
// (0 for a flipped product's scratch, 1 after the first depth block).
type coef struct {
	own   bool
	value float32
}

type stepKind uint8

const (
	stepKernel stepKind = iota
	stepNarrow
	stepRow
	stepRows
	stepEdge
	stepTall
	stepPackT
	stepPack
	stepClear
	stepCopy
	stepAdd
	stepAxpy
)

// step is one call: its slice operands and integer arguments in the order
// of the call's parameters; every kernel takes the product's alpha.
type step struct {
	kind stepKind
	nops uint8
	beta coef
	ops  [4]ref
	args [8]int
}

// recipe is one shape's kernel calls, or, when loops is set, the note
// that the shape runs the loops (it took a path recipes do not replay).
type recipe struct {
	key     recipeKey
	loops   bool
	scratch []int // the scratch buffers' lengths
	steps   []step
}

// recorder notes the kernel calls of a product as its loops make them.
// ok turns false when the product takes a path the recipe cannot replay
// (splitK's trees, buffers it cannot tell apart, more than
// maxRecipeSteps calls).
type recorder struct {
	ok     bool
	beta   float32
	bufs   [maxBufs][]float32
	minLen [bufScratch]int // the lengths Sgemm's checks guarantee
	nbufs  int
	rp     *recipe
}

// newRecorder starts the recipe of key, for a call with these operands.
func newRecorder(key recipeKey, beta float32, a, b, c []float32) *recorder {
	r := &recorder{ok: true, beta: beta, rp: &recipe{key: key}, nbufs: bufScratch}
	r.bufs[bufA], r.bufs[bufB], r.bufs[bufC] = a, b, c
	aT, bT, m, n, lda, ldb, ldc, k, _ := key.shape()
	r.minLen[bufA] = opLen(aT, m, k, lda)
	r.minLen[bufB] = opLen(bT, k, n, ldb)
	r.minLen[bufC] = (m-1)*ldc + n
	// A and B may share memory (BLAS allows it for the inputs); their
	// offsets could not be told apart.
	if overlap(a, b) || overlap(a, c) || overlap(b, c) {
		r.ok = false
	}
	return r
}

// opLen is the elements op(X), r×c with leading dimension ld, spans.
func opLen(t bool, r, c, ld int) int {
	if t {
		r, c = c, r
	}
	return (r-1)*ld + c
}

func overlap(x, y []float32) bool {
	if len(x) == 0 || len(y) == 0 {
		return false
	}
	px, py := uintptr(unsafe.Pointer(&x[0])), uintptr(unsafe.Pointer(&y[0]))
	return px < py+4*uintptr(len(y)) && py < px+4*uintptr(len(x))
}

// scratch notes a buffer the loops took for this product (whole, to its
// capacity), once.
func (r *recorder) scratch(buf []float32) {
	if r == nil || cap(buf) == 0 {
		return
	}
	buf = buf[:cap(buf)]
	p := unsafe.Pointer(&buf[0])
	for i := bufScratch; i < r.nbufs; i++ {
		if unsafe.Pointer(&r.bufs[i][0]) == p {
			return
		}
	}
	if r.nbufs == maxBufs {
		r.ok = false
		return
	}
	r.bufs[r.nbufs] = buf
	r.rp.scratch = append(r.rp.scratch, len(buf))
	r.nbufs++
}

// ref finds the buffer s lies in.
func (r *recorder) ref(s []float32) ref {
	if s == nil {
		return ref{buf: -1}
	}
	p := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	for i := 0; i < r.nbufs; i++ {
		base := r.bufs[i]
		if len(base) == 0 {
			continue
		}
		bp := uintptr(unsafe.Pointer(&base[0]))
		if p < bp || p+4*uintptr(len(s)) > bp+4*uintptr(len(base)) {
			continue
		}
		x := ref{buf: int8(i), off: int(p-bp) / 4, n: len(s)}
		x.toEnd = x.off+len(s) == len(base)
		// A replay's own operands are only as long as Sgemm's checks
		// require: what the loops read past that cannot be replayed.
		if i < bufScratch && (x.off > r.minLen[i] || !x.toEnd && x.off+x.n > r.minLen[i]) {
			r.ok = false
		}
		return x
	}
	r.ok = false
	return ref{buf: -1}
}

// coef notes a kernel call's beta.
func (r *recorder) coef(beta float32) coef {
	if classOf(r.beta) == betaOther && beta == r.beta {
		return coef{own: true}
	}
	return coef{value: beta}
}

func (r *recorder) add(kind stepKind, beta float32, ops []([]float32), args ...int) {
	if !r.ok {
		return
	}
	if len(r.rp.steps) == maxRecipeSteps {
		r.ok = false
		return
	}
	s := step{kind: kind, nops: uint8(len(ops)), beta: r.coef(beta)}
	for i, o := range ops {
		s.ops[i] = r.ref(o)
	}
	copy(s.args[:], args)
	r.rp.steps = append(r.rp.steps, s)
}

// replay runs the recipe on a product of its shape.
func (rp *recipe) replay(d *driver, alpha, beta float32, a, b, c []float32) {
	var bufs [maxBufs][]float32
	bufs[bufA], bufs[bufB], bufs[bufC] = a, b, c
	for i, n := range rp.scratch {
		bufs[bufScratch+i] = runtime.Alloc(n)
	}
	rp.run(d, alpha, beta, &bufs)
	for i := range rp.scratch {
		runtime.Free(bufs[bufScratch+i])
	}
}

func (rp *recipe) run(d *driver, alpha, beta float32, bufs *[maxBufs][]float32) {
	g := kernels{Gemm: &d.g}
	for i := range rp.steps {
		s := &rp.steps[i]
		var x [4][]float32
		for j := range s.nops {
			o := &s.ops[j]
			switch {
			case o.buf < 0:
			case o.toEnd:
				x[j] = bufs[o.buf][o.off:]
			default:
				x[j] = bufs[o.buf][o.off : o.off+o.n]
			}
		}
		bt := s.beta.value
		if s.beta.own {
			bt = beta
		}
		v := &s.args
		switch s.kind {
		case stepKernel:
			g.Gemm.Kernel(v[0], alpha, x[0], v[1], v[2], x[1], v[3], bt, x[2], v[4])
		case stepNarrow:
			g.Gemm.KernelNarrow(v[0], alpha, x[0], v[1], v[2], x[1], v[3], bt, x[2], v[4])
		case stepRow:
			g.Gemm.KernelRow(v[0], alpha, x[0], v[1], v[2], x[1], v[3], v[4], bt, x[2], v[5], v[6])
		case stepRows:
			g.Gemm.KernelRows(v[0], alpha, x[0], v[1], v[2], x[1], v[3], v[4], bt, x[2], v[5], v[6], v[7])
		case stepEdge:
			g.Gemm.KernelEdge(v[0], alpha, x[0], v[1], v[2], x[1], v[3], bt, x[2], v[4], v[5], v[6], x[3])
		case stepTall:
			g.Gemm.KernelTall(v[0], alpha, x[0], v[1], x[1], v[2], v[3], bt, x[2], v[4], v[5], v[6])
		case stepPackT:
			g.Gemm.PackT(x[0], v[0], x[1], v[1], v[2], v[3])
		case stepPack:
			g.pack(x[0], v[0], x[1], v[1], v[2], v[3], v[4], v[5], v[6])
		case stepClear:
			clear(x[0])
		case stepCopy:
			copy(x[0], x[1])
		case stepAdd:
			asm.Add(x[0], x[1], x[2])
		case stepAxpy:
			asm.Axpy(bt, x[0], x[1])
		}
	}
}

// recipeBook holds a driver's recipes: an open-addressed table that only
// grows, so that a shape's recipe, once made, is found on every later
// call without a lock, and a training step allocates nothing once its
// shapes are in. When the probe window of a key is full, its products run
// the loops.
type recipeBook struct {
	slots [recipeSlots]atomic.Pointer[recipe]
}

const (
	recipeSlots = 512
	recipeProbe = 8
)

func (k recipeKey) hash() uint64 {
	return (k[0] ^ ((k[1]*31+k[2])*31+k[3])*31 + k[4]) * 0x9E3779B97F4A7C15 >> 32
}

// find returns key's recipe, or nil; room reports whether its probe
// window has a free slot.
func (rb *recipeBook) find(key recipeKey) (rp *recipe, room bool) {
	h := key.hash()
	for i := uint64(0); i < recipeProbe; i++ {
		rp := rb.slots[(h+i)%recipeSlots].Load()
		if rp == nil {
			return nil, true
		}
		if rp.key == key {
			return rp, false
		}
	}
	return nil, false
}

// add puts rp in the book (unless a concurrent call of its shape did).
// A recorder that failed leaves a recipe that says so, so that its shape
// is not recorded again.
func (rb *recipeBook) add(rp *recipe) {
	h := rp.key.hash()
	for i := uint64(0); i < recipeProbe; i++ {
		s := &rb.slots[(h+i)%recipeSlots]
		if s.CompareAndSwap(nil, rp) {
			return
		}
		if s.Load().key == rp.key {
			return
		}
	}
}

// kernels is the level's microkernels as the loops call them: straight
// through, noting each call in a recipe when rec is set.
type kernels struct {
	*asm.Gemm
	rec *recorder
}

func (g kernels) Kernel(k int, alpha float32, a []float32, rsa, csa int, b []float32, rsb int, beta float32, c []float32, ldc int) {
	if g.rec != nil {
		g.rec.add(stepKernel, beta, [][]float32{a, b, c}, k, rsa, csa, rsb, ldc)
	}
	g.Gemm.Kernel(k, alpha, a, rsa, csa, b, rsb, beta, c, ldc)
}

func (g kernels) KernelNarrow(k int, alpha float32, a []float32, rsa, csa int, b []float32, rsb int, beta float32, c []float32, ldc int) {
	if g.rec != nil {
		g.rec.add(stepNarrow, beta, [][]float32{a, b, c}, k, rsa, csa, rsb, ldc)
	}
	g.Gemm.KernelNarrow(k, alpha, a, rsa, csa, b, rsb, beta, c, ldc)
}

func (g kernels) KernelRow(k int, alpha float32, a []float32, rsa, csa int, b []float32, rsb, bstep int, beta float32, c []float32, ldc, np int) {
	if g.rec != nil {
		g.rec.add(stepRow, beta, [][]float32{a, b, c}, k, rsa, csa, rsb, bstep, ldc, np)
	}
	g.Gemm.KernelRow(k, alpha, a, rsa, csa, b, rsb, bstep, beta, c, ldc, np)
}

// KernelRowPrefetch records a KernelRow: a replay has no next panel to
// pack (recipes are for products small enough to sit in cache).
func (g kernels) KernelRowPrefetch(k int, alpha float32, a []float32, rsa, csa int, b []float32, rsb, bstep int, beta float32, c []float32, ldc, np int, next []float32, lds, rows, cols int) {
	if g.rec != nil {
		g.rec.add(stepRow, beta, [][]float32{a, b, c}, k, rsa, csa, rsb, bstep, ldc, np)
	}
	g.Gemm.KernelRowPrefetch(k, alpha, a, rsa, csa, b, rsb, bstep, beta, c, ldc, np, next, lds, rows, cols)
}

func (g kernels) KernelRows(k int, alpha float32, a []float32, rsa, csa int, b []float32, rsb, bstep int, beta float32, c []float32, ldc, np, rows int) {
	if g.rec != nil {
		g.rec.add(stepRows, beta, [][]float32{a, b, c}, k, rsa, csa, rsb, bstep, ldc, np, rows)
	}
	g.Gemm.KernelRows(k, alpha, a, rsa, csa, b, rsb, bstep, beta, c, ldc, np, rows)
}

func (g kernels) KernelEdge(k int, alpha float32, a []float32, rsa, csa int, b []float32, rsb int, beta float32, c []float32, ldc, rows, cols int, scratch []float32) {
	if g.rec != nil {
		g.rec.add(stepEdge, beta, [][]float32{a, b, c, scratch}, k, rsa, csa, rsb, ldc, rows, cols)
	}
	g.Gemm.KernelEdge(k, alpha, a, rsa, csa, b, rsb, beta, c, ldc, rows, cols, scratch)
}

func (g kernels) KernelTall(k int, alpha float32, a []float32, lda int, b []float32, rsb, csb int, beta float32, c []float32, ldc, rows, cols int) {
	if g.rec != nil {
		g.rec.add(stepTall, beta, [][]float32{a, b, c}, k, lda, rsb, csb, ldc, rows, cols)
	}
	g.Gemm.KernelTall(k, alpha, a, lda, b, rsb, csb, beta, c, ldc, rows, cols)
}

func (g kernels) PackT(dst []float32, w int, src []float32, sx, xn, pn int) {
	if g.rec != nil {
		g.rec.add(stepPackT, 0, [][]float32{dst, src}, w, sx, xn, pn)
	}
	g.Gemm.PackT(dst, w, src, sx, xn, pn)
}

// clear, copy, add and axpy are the loops' other writes: clear(dst),
// copy(dst, src), asm.Add(dst, x, y) and asm.Axpy(beta, x, y).
func (g kernels) clear(dst []float32) {
	if g.rec != nil {
		g.rec.add(stepClear, 0, [][]float32{dst})
	}
	clear(dst)
}

func (g kernels) copy(dst, src []float32) {
	if g.rec != nil {
		g.rec.add(stepCopy, 0, [][]float32{dst, src})
	}
	copy(dst, src)
}

func (g kernels) add(dst, x, y []float32) {
	if g.rec != nil {
		g.rec.add(stepAdd, 0, [][]float32{dst, x, y})
	}
	asm.Add(dst, x, y)
}

func (g kernels) axpy(beta float32, x, y []float32) {
	if g.rec != nil {
		g.rec.add(stepAxpy, beta, [][]float32{x, y})
	}
	asm.Axpy(beta, x, y)
}

// KernelGather is not replayed: a product that gathers depends on its
// data (recipeMaxWork keeps recipes below gathering).
func (g kernels) KernelGather(k int, alpha float32, a []float32, rsa, csa int, b []float32, off []int32, bstep int, beta float32, c []float32, ldc, np int) {
	if g.rec != nil {
		g.rec.ok = false
	}
	g.Gemm.KernelGather(k, alpha, a, rsa, csa, b, off, bstep, beta, c, ldc, np)
}
