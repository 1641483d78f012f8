package nn

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/nnrt/nnrt/asm"
	"github.com/nnrt/nnrt/blas"
	"github.com/nnrt/nnrt/reg"
	"github.com/nnrt/nnrt/runtime"
)

// sparseBlobs are blobs whose features are mostly zeros: each sample keeps
// a few of in features, around its class's centre.
func sparseBlobs(n, in, classes int, keep float64) ([]float32, []int32) {
	rng := rand.New(rand.NewPCG(21, 22))
	x, y := make([]float32, n*in), make([]int32, n)
	for i := 0; i < n; i++ {
		c := rng.IntN(classes)
		y[i] = int32(c)
		for j := 0; j < in; j++ {
			p, v := keep/2, rng.Float64()
			if j%classes == c {
				p, v = 2*keep, v+1 // the class's features: more often on, and larger
			}
			if rng.Float64() < p {
				x[i*in+j] = float32(v)
			}
		}
	}
	return x, y
}

// forceSparse makes every Dense layer multiply a sparse enough input on
// its nonzeros, on every level (asm's Go loops on those without assembly),
// whatever the batch size; it returns the function that undoes it.
func forceSparse() func() {
	on, rows, rowsDW := sparseOn, sparseMinRows, sparseMinRowsDW
	sparseOn, sparseMinRows, sparseMinRowsDW = true, 1, 1
	return func() { sparseOn, sparseMinRows, sparseMinRowsDW = on, rows, rowsDW }
}

func sparseModel(t *testing.T) *Sequential {
	return compiled(t, NewSequential([]int{96},
		Dense(DenseConfig{Units: 130, Activation: "elu", KernelInitializer: "he_normal"}),
		Dense(DenseConfig{Units: 3, Activation: "softmax"})), NewSGD(0.05))
}

// TestSparseInputs: a batch of mostly zeros takes the sparse products
// (where the level has them), trains to the dense products' history within
// rounding, to the same bits on 1, 2 and 3 threads, and a step allocates
// nothing; a dense input stays on the dense products.
func TestSparseInputs(t *testing.T) {
	defer forceSparse()()
	x, y := sparseBlobs(600, 96, 3, 0.2)
	fit := func(threads int, sparse bool) (*History, [][]float32, bool) {
		defer runtime.SetThreads(runtime.SetThreads(threads))
		if !sparse {
			defer func(d, f float64) { sparseMaxDensity, sparseMaxDensityFwd = d, f }(sparseMaxDensity, sparseMaxDensityFwd)
			sparseMaxDensity, sparseMaxDensityFwd = -1, -1
		}
		m := sparseModel(t)
		h, err := m.Fit(x, y, FitConfig{Epochs: 3, BatchSize: 200, Seed: 5})
		if err != nil {
			t.Fatal(err)
		}
		l := firstDense(m)
		return h, m.Weights(), l.sparse && l.sparseDW
	}
	hs, ws, used := fit(1, true)
	if !used {
		t.Fatal("the first layer did not take the sparse products")
	}
	hd, _, usedDense := fit(1, false)
	if usedDense {
		t.Fatal("sparse products with sparseMaxDensity and sparseMaxDensityFwd < 0")
	}
	for i := range hs.Epochs {
		if a, b := hs.Epochs[i].Loss, hd.Epochs[i].Loss; math.Abs(a-b) > 1e-5*math.Abs(b) {
			t.Errorf("epoch %d: loss %v with sparse products, %v with dense ones", i, a, b)
		}
	}
	if hs.Epochs[2].Accuracy < 0.9 {
		t.Errorf("accuracy %v after 3 epochs", hs.Epochs[2].Accuracy)
	}
	for _, threads := range []int{2, 3} {
		_, w, _ := fit(threads, true)
		for i := range w {
			for j := range w[i] {
				if math.Float32bits(w[i][j]) != math.Float32bits(ws[i][j]) {
					t.Fatalf("threads=%d: weights %d[%d] = %v, one thread %v", threads, i, j, w[i][j], ws[i][j])
				}
			}
		}
	}
	// a dense batch among sparse ones: the next batch is looked at again
	xd, yd := sparseBlobs(200, 96, 3, 0.9)
	m := sparseModel(t)
	for i, b := range []struct {
		x      []float32
		y      []int32
		sparse bool
	}{{x[:200*96], y[:200], true}, {xd, yd, false}, {x[200*96 : 400*96], y[200:400], true}} {
		if _, err := m.TrainOnBatch(b.x, b.y); err != nil {
			t.Fatal(err)
		}
		if l := firstDense(m); l.sparse != b.sparse || l.sparseDW != b.sparse || l.fwdGate.denseFor != 0 || l.dwGate.denseFor != 0 {
			t.Errorf("batch %d: sparse %v %v (want %v), denseFor %d %d", i, l.sparse, l.sparseDW, b.sparse, l.fwdGate.denseFor, l.dwGate.denseFor)
		}
	}
	// dense inputs: the layer looks twice, then stays dense for sparseRecheck passes
	m = sparseModel(t)
	for i := 0; i < 2; i++ {
		if _, err := m.TrainOnBatch(xd, yd); err != nil {
			t.Fatal(err)
		}
	}
	if l := firstDense(m); l.sparse || l.sparseDW || l.fwdGate.denseFor != sparseRecheck || l.dwGate.denseFor != sparseRecheck {
		t.Errorf("dense input: sparse %v %v, denseFor %d %d", l.sparse, l.sparseDW, l.fwdGate.denseFor, l.dwGate.denseFor)
	}
	if raceEnabled {
		return
	}
	m = sparseModel(t)
	if _, err := m.TrainOnBatch(x[:200*96], y[:200]); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(20, func() { _, _ = m.TrainOnBatch(x[:200*96], y[:200]) }); n != 0 {
		t.Errorf("a sparse step allocates %v times", n)
	}
}

// TestSparseInputsNaNWeights: a NaN in the kernel where the input is zero
// still gives NaN (a dense product's 0*NaN), so training stops as it would.
func TestSparseInputsNaNWeights(t *testing.T) {
	defer forceSparse()()
	x, y := sparseBlobs(200, 96, 3, 0.2)
	for i := 0; i < 200; i++ {
		x[i*96] = 0 // feature 0 is zero in every sample
	}
	m := sparseModel(t)
	firstDense(m).kernel.Value[5] = float32(math.NaN()) // row 0: feature 0
	loss, err := m.TrainOnBatch(x, y)
	if err == nil && !math.IsNaN(loss) {
		t.Errorf("loss %v, err %v: the NaN weight was skipped", loss, err)
	}
}

// TestSparseFusedUpdates: with a sparse dW, the first layer's kernel is
// updated by the optimizer a group of dW's rows at a time, as the product
// makes them (Param.fuseRows); every optimizer that does so must train as
// the separate update does (forced by a clipping bound that never binds),
// to the same bits on 1, 2 and 3 threads, and without allocating.
func TestSparseFusedUpdates(t *testing.T) {
	defer forceSparse()()
	x, y := sparseBlobs(400, 96, 3, 0.2)
	for _, c := range []struct {
		name string
		opt  func() *Optimizer
	}{
		{"momentum", func() *Optimizer { o := NewSGD(0.02); o.Momentum = 0.9; return o }},
		{"nesterov", func() *Optimizer { o := NewSGD(0.02); o.Momentum = 0.9; o.Nesterov = true; return o }},
		{"adam", func() *Optimizer { return NewAdam(0.01) }},
		{"nadam", func() *Optimizer { return NewNadam(0.01) }},
		{"rmsprop", func() *Optimizer { return NewRMSprop(0.005) }},
	} {
		model := func(clip float32) *Sequential {
			o := c.opt()
			o.Clip.Value = clip
			return compiled(t, NewSequential([]int{96},
				Dense(DenseConfig{Units: 130, Activation: "elu", KernelInitializer: "he_normal", KernelRegularizer: reg.L2(0.01)}),
				Dense(DenseConfig{Units: 3, Activation: "softmax"})), o)
		}
		fit := func(threads int, clip float32) ([][]float32, *History) {
			defer runtime.SetThreads(runtime.SetThreads(threads))
			m := model(clip)
			h, err := m.Fit(x, y, FitConfig{Epochs: 2, BatchSize: 100, Seed: 5})
			if err != nil {
				t.Fatal(err)
			}
			return m.Weights(), h
		}
		fused, hf := fit(1, 0)
		separate, hs := fit(1, 1e30)
		sameTraining(t, c.name, fused, separate, hf, hs)
		for _, threads := range []int{2, 3} {
			w, _ := fit(threads, 0)
			for i := range w {
				for j := range w[i] {
					if math.Float32bits(w[i][j]) != math.Float32bits(fused[i][j]) {
						t.Fatalf("%s, %d threads: variable %d[%d] = %v, one thread %v", c.name, threads, i, j, w[i][j], fused[i][j])
					}
				}
			}
		}
		// the step did take the fused path, and allocates nothing
		m := model(0)
		if _, err := m.TrainOnBatch(x[:100*96], y[:100]); err != nil { // sizes the buffers
			t.Fatal(err)
		}
		k := firstDense(m).kernel
		m.opt.planFused()
		m.gradients(x[:100*96], y[:100], nil, 100, nil)
		if !k.updated {
			t.Fatalf("%s: the kernel's update was not fused into its sparse product", c.name)
		}
		m.opt.step()
		if raceEnabled {
			continue
		}
		if n := testing.AllocsPerRun(20, func() { _, _ = m.TrainOnBatch(x[:100*96], y[:100]) }); n != 0 {
			t.Errorf("%s: a fused step allocates %v times", c.name, n)
		}
	}
}

// TestByteGatherSameBits: Fit on inputs that are bytes scaled to [0, 1]
// (sparse blobs rounded to k/255), its batches gathered from the byte
// codes, gives the bits it gives from the float32 values, on 1 and 2
// threads; and the codes were used. (The byte products on the tiles, which
// round otherwise, are off: TestByteTilesFit.)
func TestByteGatherSameBits(t *testing.T) {
	if !asm.Over255Fast() {
		t.Skip("the active level does not decode bytes")
	}
	defer func() { byteTiles = true }()
	byteTiles = false
	x, y := sparseBlobs(600, 96, 3, 0.3)
	for i, v := range x {
		x[i] = asm.Over255Table[int(math.Round(float64(min(v, 1))*255))]
	}
	for _, cfg := range []FitConfig{
		{Epochs: 2, BatchSize: 64, Seed: 9},
		{Epochs: 2, BatchSize: 50, Seed: 9, NoShuffle: true, ValidationSplit: 0.2},
	} {
		fit := func(threads int, bytes bool) ([][]float32, *History) {
			defer runtime.SetThreads(runtime.SetThreads(threads))
			defer func() { byteGather = true }()
			byteGather = bytes
			m := sparseModel(t)
			h, err := m.Fit(x, y, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got := m.gatherer.d.codes != nil; got {
				t.Fatal("the gatherer kept the dataset")
			}
			return m.Weights(), h
		}
		want, hw := fit(1, false)
		for _, threads := range []int{1, 2} {
			w, h := fit(threads, true)
			for i := range w {
				for j := range w[i] {
					if math.Float32bits(w[i][j]) != math.Float32bits(want[i][j]) {
						t.Fatalf("%+v, threads=%d: weights %d[%d] = %v from the bytes, %v from the values", cfg, threads, i, j, w[i][j], want[i][j])
					}
				}
			}
			if h.Epochs[1].Loss != hw.Epochs[1].Loss || h.Epochs[1].ValLoss != hw.Epochs[1].ValLoss && !math.IsNaN(hw.Epochs[1].ValLoss) {
				t.Fatalf("%+v, threads=%d: loss %v from the bytes, %v from the values", cfg, threads, h.Epochs[1].Loss, hw.Epochs[1].Loss)
			}
		}
	}
	// the codes are there to be used
	train := dataset{x: x, labels: y, n: 600}
	if _, codes := sampleTables(train, []int{96}, true); codes == nil {
		t.Fatal("no codes for byte inputs")
	}
}

// TestBatchOrder: the keys of images are their counts of used columns,
// used rows and nonzero values, of flat inputs the count, and there are
// none for inputs mostly nonzero; batchOrder sorts each batch (the last
// one short) by key, keeps its samples, and keeps the shuffle's order
// among equal keys. Inputs that are bytes scaled to [0, 1] get the same
// keys (computed from their codes) and their codes.
func TestBatchOrder(t *testing.T) {
	x := []float32{
		0, 0, 1, 0, // 1 column, 1 row, 1 nonzero
		1, 1, 0, 0, // 2 columns, 1 row, 2
		0, 0, 0, 0, // nothing
		0, 3, 0, 2, // 1 column, 2 rows, 2
		5, 0, 0, 0, // 1, 1, 1
	}
	key := func(cols, rows, nz uint64) uint64 { return cols<<42 | rows<<21 | nz }
	want := []uint64{key(1, 1, 1), key(2, 1, 2), 0, key(1, 2, 2), key(1, 1, 1)}
	scaled := make([]float32, len(x)) // bytes: 0, 1/255, 3/255, ...
	for i, v := range x {
		scaled[i] = asm.Over255Table[int(v)]
	}
	for _, in := range [][]float32{x, scaled} {
		d := dataset{x: in, labels: []int32{2, 0, 2, 0, 0}, n: 5}
		keys, codes := sampleTables(d, []int{2, 2}, true)
		if !slices.Equal(keys, want) {
			t.Fatalf("keys %v, want %v", keys, want)
		}
		if flat, _ := sampleTables(d, []int{4}, true); !slices.Equal(flat, []uint64{1, 2, 0, 2, 1}) {
			t.Fatalf("flat keys %v, want the counts [1 2 0 2 1]", flat)
		}
		if k, _ := sampleTables(d, []int{2, 2}, false); k != nil {
			t.Fatalf("keys %v without the order", k)
		}
		switch isBytes := &in[0] == &scaled[0]; {
		case isBytes && asm.Over255Fast():
			for i, c := range codes {
				if float32(c) != x[i] {
					t.Fatalf("codes %v, want %v", codes, x)
				}
			}
		case codes != nil:
			t.Fatalf("codes %v for inputs that are not bytes (or on a level without the decoder)", codes)
		}
	}
	keys, _ := sampleTables(dataset{x: x, n: 5}, []int{2, 2}, true)
	perm := []int32{4, 1, 0, 3, 2}
	newBatchOrder(keys, 3).run(perm)
	// batch {4, 1, 0}: 4 and 0 equal (shuffle order), then 1;
	// batch {3, 2}: 2 (key 0), then 3
	if got := []int32{4, 0, 1, 2, 3}; !slices.Equal(perm, got) {
		t.Fatalf("ordered %v, want %v", perm, got)
	}
	if k, _ := sampleTables(dataset{x: []float32{1, 7, 2, 3, 0, 4, 5, 6}, n: 2}, []int{4}, true); k != nil {
		t.Fatalf("keys %v for inputs one eighth zeros", k)
	}
}

// TestBatchOrderStable: batchOrder's sorts of 32-bit keys and positions
// give the stable sort by key of each batch, on any number of threads,
// with many equal keys and a short last batch, for keys that compactKeys
// fits in 32 bits and keys whose ranks it needs.
func TestBatchOrderStable(t *testing.T) {
	defer runtime.SetThreads(runtime.SetThreads(1))
	r := rand.New(rand.NewPCG(5, 6))
	for _, wide := range []bool{false, true} {
		keys := make([]uint64, 1000)
		for i := range keys {
			if wide { // fields of up to 12 bits: 36 in all
				keys[i] = orderKey(r.IntN(1<<12), r.IntN(1<<12), r.IntN(1<<12)&^15, true)
			} else { // ties, and keys past 32 bits
				keys[i] = uint64(r.IntN(20)) << (orderKeyBits * uint(r.IntN(3)))
			}
		}
		if fits := compactKeys(make([]uint32, len(keys)), keys); fits == wide {
			t.Fatalf("wide keys %v: compactKeys reports %v", wide, fits)
		}
		testBatchOrder(t, r, keys)
	}
}

func testBatchOrder(t *testing.T, r *rand.Rand, keys []uint64) {
	for _, batch := range []int{1, 7, 32, 256, 1000, 2000} {
		perm := make([]int32, len(keys))
		for i := range perm {
			perm[i] = int32(i)
		}
		r.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		want := slices.Clone(perm)
		for lo := 0; lo < len(want); lo += batch {
			slices.SortStableFunc(want[lo:min(lo+batch, len(want))], func(a, b int32) int { return cmp.Compare(keys[a], keys[b]) })
		}
		order := newBatchOrder(keys, batch)
		for _, th := range []int{1, 2, 3} {
			runtime.SetThreads(th)
			got := slices.Clone(perm)
			order.run(got)
			if !slices.Equal(got, want) {
				t.Fatalf("batch %d, %d threads: %v, want %v", batch, th, got, want)
			}
		}
	}
}

// TestBatchOrderNone: without keys, no order.
func TestBatchOrderNone(t *testing.T) {
	none := newBatchOrder(nil, 32)
	perm := []int32{2, 0, 1}
	none.run(perm)
	if !slices.Equal(perm, []int32{2, 0, 1}) {
		t.Fatalf("no keys: %v", perm)
	}
}

// TestByteCodes: a training set of bytes scaled to [0, 1] gets its codes
// (on the levels that decode them), and the keys from the codes (eight at
// a time) are the keys from the values, on images of every width
// (columns in one word of bits or two, a multiple of eight or not) and on
// flat inputs; one other value anywhere (a -0, a value between two
// bytes') leaves the set without codes.
func TestByteCodes(t *testing.T) {
	if !asm.Over255Fast() {
		t.Skip("the active level does not decode bytes")
	}
	defer func() { byteGather = true }()
	r := rand.New(rand.NewPCG(5, 6))
	for _, shape := range [][]int{{4, 4}, {28, 28}, {3, 13}, {2, 70}, {9, 8}, {50}, {1, 1}} {
		in := prod(shape)
		n := 600
		x := make([]float32, n*in)
		want := make([]uint8, n*in)
		for i := 0; i < n; i++ {
			density := []float64{0, 0.05, 0.5, 1}[i%4]
			for j := range in {
				if r.Float64() < density {
					want[i*in+j] = uint8(1 + r.IntN(255))
				}
				x[i*in+j] = asm.Over255Table[want[i*in+j]]
			}
		}
		byteGather = true
		keys, codes := sampleTables(dataset{x: x, n: n}, shape, true)
		if !slices.Equal(codes, want) {
			t.Fatalf("shape %v: codes differ from the bytes", shape)
		}
		byteGather = false
		k, c := sampleTables(dataset{x: x, n: n}, shape, true)
		if c != nil {
			t.Fatal("codes with byteGather off")
		}
		if !slices.Equal(k, keys) {
			t.Fatalf("shape %v: keys from the codes differ from the keys from the values", shape)
		}
		byteGather = true
		for _, bad := range []float32{float32(math.Copysign(0, -1)), math.Nextafter32(asm.Over255Table[9], 1)} {
			for _, at := range []int{0, 1, n*in/2 + 3, n*in - 1} {
				y := slices.Clone(x)
				y[at] = bad
				if _, c := sampleTables(dataset{x: y, n: n}, shape, true); c != nil {
					t.Fatalf("codes for inputs with %v at %d", bad, at)
				}
			}
		}
	}
}

// TestByteTilesFit: where the byte products run (the amx level with
// AMX-INT8), Fit on byte inputs multiplies the first layer's batches on
// the tiles: the same bits on 1, 2 and 3 threads; within float32 rounding
// of the FMA path's history (the products differ in their last bits); the
// bytes released after Fit; and no tiles for a first layer behind a
// Dropout (its inputs are no longer the bytes).
func TestByteTilesFit(t *testing.T) {
	if !blas.BytesAvailable() || !asm.Over255Fast() {
		t.Skip("byte products need AMX-INT8 and the tile state (blas.BytesAvailable)")
	}
	defer func(n int) { byteMinRows = n }(byteMinRows)
	byteMinRows = 64
	x, y := sparseBlobs(600, 96, 3, 0.3)
	for i, v := range x {
		x[i] = asm.Over255Table[int(math.Round(float64(min(v, 1))*255))]
	}
	cfg := FitConfig{Epochs: 3, BatchSize: 64, Seed: 9}
	fit := func(threads int, tiles bool, m *Sequential) ([][]float32, *History) {
		defer runtime.SetThreads(runtime.SetThreads(threads))
		defer func() { byteTiles = true }()
		byteTiles = tiles
		used := &byteLayerSeen{}
		c := cfg
		c.Callbacks = []Callback{used}
		h, err := m.Fit(x, y, c)
		if err != nil {
			t.Fatal(err)
		}
		if used.seen != tiles {
			t.Fatalf("tiles %v, threads %d: the byte layer was used: %v", tiles, threads, used.seen)
		}
		if m.byteLayer != nil || m.kb != nil {
			t.Fatal("the byte layer outlived Fit")
		}
		return m.Weights(), h
	}
	want, hw := fit(1, true, sparseModel(t))
	for _, threads := range []int{2, 3} {
		w, _ := fit(threads, true, sparseModel(t))
		for i := range w {
			for j := range w[i] {
				if math.Float32bits(w[i][j]) != math.Float32bits(want[i][j]) {
					t.Fatalf("threads=%d: weights %d[%d] = %v, %v on one thread", threads, i, j, w[i][j], want[i][j])
				}
			}
		}
	}
	_, hf := fit(1, false, sparseModel(t))
	closeHistories := func(what string, a, b *History) {
		for e := range a.Epochs {
			if d := math.Abs(a.Epochs[e].Loss - b.Epochs[e].Loss); d > 1e-5*b.Epochs[e].Loss {
				t.Fatalf("%s, epoch %d: loss %v on the tiles, %v on the FMA kernels", what, e, a.Epochs[e].Loss, b.Epochs[e].Loss)
			}
		}
	}
	closeHistories("SGD", hw, hf)
	// momentum: dW on the tiles, then the optimizer's own update
	momentum := func() *Sequential {
		return compiled(t, NewSequential([]int{96},
			Dense(DenseConfig{Units: 130, Activation: "elu", KernelInitializer: "he_normal"}),
			Dense(DenseConfig{Units: 3, Activation: "softmax"})), &Optimizer{Kind: "sgd", LearningRate: 0.02, Momentum: 0.9})
	}
	_, hm := fit(2, true, momentum())
	_, hmf := fit(2, false, momentum())
	closeHistories("momentum", hm, hmf)
	// behind a Dropout (the book's dropout model) the first Dense layer
	// takes the bytes the Dropout keeps: the same masks as the float path,
	// so a history within rounding of it; the same bits on 1-3 threads
	dropModel := func(drop Layer) *Sequential {
		m := NewSequential([]int{96}, drop, Dense(DenseConfig{Units: 40, Activation: "elu"}), Dense(DenseConfig{Units: 3, Activation: "softmax"}))
		if err := m.Compile(CompileConfig{Optimizer: NewSGD(0.05), Seed: 3}); err != nil {
			t.Fatal(err)
		}
		return m
	}
	wd, hd := fit(1, true, dropModel(Dropout(0.2)))
	if w, _ := fit(3, true, dropModel(Dropout(0.2))); !sameBits(w, wd) {
		t.Fatal("Dropout then bytes: weights on 3 threads differ from one thread's")
	}
	_, hdf := fit(1, false, dropModel(Dropout(0.2)))
	closeHistories("Dropout", hd, hdf)
	// an AlphaDropout, or a Dropout with a noise shape, keeps the floats
	for _, drop := range []Layer{AlphaDropout(0.2), Dropout(0.2, 1, 0)} {
		m := dropModel(drop)
		used := &byteLayerSeen{}
		if _, err := m.Fit(x, y, FitConfig{Epochs: 1, BatchSize: 64, Callbacks: []Callback{used}}); err != nil || used.seen {
			t.Fatalf("a Dense layer behind %s took the bytes (%v)", m.Layers()[0].Spec().Kind, err)
		}
	}
}

// sameBits reports whether two models' weights are equal bit for bit.
func sameBits(a, b [][]float32) bool {
	for i := range a {
		for j := range a[i] {
			if math.Float32bits(a[i][j]) != math.Float32bits(b[i][j]) {
				return false
			}
		}
	}
	return true
}

// byteLayerSeen records whether a Fit had a byte layer.
type byteLayerSeen struct {
	BaseCallback
	seen bool
}

func (b *byteLayerSeen) OnTrainBegin(ctx *TrainContext) error {
	b.seen = ctx.Model.byteLayer != nil
	return nil
}
