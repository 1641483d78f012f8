package nn

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/nnrt/nnrt/asm"
	"github.com/nnrt/nnrt/blas"
	"github.com/nnrt/nnrt/runtime"
	"github.com/nnrt/nnrt/sched"
)

// FitConfig is the argument of Fit, as Keras's fit.
type FitConfig struct {
	Epochs    int // default 1
	BatchSize int // default 32
	// NoShuffle turns off the per-epoch shuffle (Keras shuffles by default).
	NoShuffle bool
	// Seed seeds the shuffle.
	Seed uint64
	// ValidationX/ValidationY (or ValidationT for dense targets) are
	// evaluated after each epoch (val_loss, val_accuracy).
	ValidationX []float32
	ValidationY []int32
	ValidationT []float32
	// ValidationSplit holds out this fraction of the training data, taken
	// from its end before any shuffling, as Keras does. Ignored when
	// ValidationX is set.
	ValidationSplit float64
	// ValidationBatchSize is the batch size of the validation pass (0: BatchSize).
	ValidationBatchSize int
	Callbacks           []Callback
	// InitialEpoch is the epoch to start at (Keras's initial_epoch).
	InitialEpoch int
}

// Fit trains the model on x (n samples x input size, row-major) with class
// labels y, and returns the per-epoch history. Errors: the model is not
// compiled, x and y disagree in length, the data are empty, a label is out
// of range, x holds NaN or Inf, a callback failed (TerminateOnNaN). The
// history up to the failure is returned with the error.
//
// When every value of x is a byte scaled to [0, 1] (k/255, as images are
// loaded with x / 255.), Fit keeps x's bytes too, a quarter of x's memory,
// for as long as it runs, and copies each batch from them, which waits
// less on memory; the results are the same bits. On a CPU with AMX-INT8
// (blas.BytesAvailable: by default, or with NNRT_ISA=amx), a first Dense
// layer behind Flatten layers and at most one plain Dropout then multiplies
// batches of at least 256 of the bytes (those the Dropout keeps, scaled by
// its 1/(1-rate)) on the integer tiles, in its forward product and its dW
// (see useByteLayer): the error is below a float32 product's, but the bits
// are not the FMA kernels' (NNRT_ISA=avx512 keeps them).
func (m *Sequential) Fit(x []float32, y []int32, cfg FitConfig) (*History, error) {
	if !m.built {
		return nil, errors.New("nn: the model is not compiled")
	}
	d, err := labelsDataset(x, y, prod(m.input))
	if err != nil {
		return nil, err
	}
	return m.fit(d, cfg)
}

// FitTargets is Fit for dense targets t (n samples x outputs): one-hot or
// probability rows for categorical cross-entropy, values for MSE.
func (m *Sequential) FitTargets(x, t []float32, cfg FitConfig) (*History, error) {
	if !m.built {
		return nil, errors.New("nn: the model is not compiled")
	}
	d, err := targetsDataset(x, t, prod(m.input), m.outCols)
	if err != nil {
		return nil, err
	}
	return m.fit(d, cfg)
}

// slice returns samples [lo, hi) of d.
func (d dataset) slice(lo, hi, in, out int) dataset {
	s := dataset{x: d.x[lo*in : hi*in], n: hi - lo}
	if d.labels != nil {
		s.labels = d.labels[lo:hi]
	} else {
		s.targets = d.targets[lo*out : hi*out]
	}
	return s
}

func (m *Sequential) fit(train dataset, cfg FitConfig) (*History, error) {
	if cfg.Epochs == 0 {
		cfg.Epochs = 1
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = 32
	}
	if cfg.Epochs < 0 || cfg.BatchSize < 0 || cfg.InitialEpoch < 0 {
		return nil, fmt.Errorf("nn: fit needs epochs, batch size and initial epoch >= 0, got %d, %d, %d", cfg.Epochs, cfg.BatchSize, cfg.InitialEpoch)
	}
	in, out := prod(m.input), m.outCols
	var val *dataset
	switch {
	case cfg.ValidationX != nil:
		var v dataset
		var err error
		if m.loss.sparse {
			v, err = labelsDataset(cfg.ValidationX, cfg.ValidationY, in)
		} else {
			v, err = targetsDataset(cfg.ValidationX, cfg.ValidationT, in, out)
		}
		if err != nil {
			return nil, fmt.Errorf("validation data: %w", err)
		}
		val = &v
	case cfg.ValidationSplit != 0:
		if !(cfg.ValidationSplit > 0 && cfg.ValidationSplit < 1) {
			return nil, fmt.Errorf("nn: validation split must be in (0, 1), got %v", cfg.ValidationSplit)
		}
		// Keras: split_at = int(n * (1 - validation_split)).
		at := int(float64(train.n) * (1 - cfg.ValidationSplit))
		if at <= 0 || at >= train.n {
			return nil, fmt.Errorf("nn: validation split %v of %d samples leaves an empty part", cfg.ValidationSplit, train.n)
		}
		v := train.slice(at, train.n, in, out)
		val = &v
		train = train.slice(0, at, in, out)
	}
	if err := m.check("fit", train); err != nil {
		return nil, err
	}
	if val != nil {
		if err := m.check("validation data", *val); err != nil {
			return nil, err
		}
	}
	valBatch := cfg.ValidationBatchSize
	if valBatch <= 0 {
		valBatch = cfg.BatchSize
	}
	batch := min(cfg.BatchSize, train.n)
	m.reserve(max(batch, valBatch))
	steps := (train.n + batch - 1) / batch
	perm := make([]int32, train.n)
	for i := range perm {
		perm[i] = int32(i)
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x73687566))
	var keys []uint64
	keys, train.codes = sampleTables(train, m.input, !cfg.NoShuffle)
	order := newBatchOrder(keys, batch)
	m.useByteLayer(train.codes != nil, batch)
	defer m.useByteLayer(false, 0)

	h := &History{}
	ctx := &TrainContext{Model: m, Epochs: cfg.Epochs, Steps: steps, History: h, HasValidation: val != nil}
	var fitErr error
	for _, c := range cfg.Callbacks {
		if fitErr = c.OnTrainBegin(ctx); fitErr != nil {
			break
		}
	}
	// Callbacks may install a schedule (ReduceLROnPlateau), so look for an
	// observer only now.
	observer, _ := m.opt.Schedule.(sched.EpochObserver)
	observed := ""
	if observer != nil {
		observed = "val_loss"
		if mon, ok := m.opt.Schedule.(interface{ Monitor() string }); ok {
			observed = mon.Monitor()
		}
		if val == nil && len(observed) > 4 && observed[:4] == "val_" {
			fitErr = fmt.Errorf("nn: the schedule monitors %s but fit has no validation data", observed)
		}
	}

	for epoch := cfg.InitialEpoch; fitErr == nil && epoch < cfg.Epochs && !ctx.StopTraining; epoch++ {
		ctx.Epoch = epoch
		for _, c := range cfg.Callbacks {
			if fitErr = c.OnEpochBegin(ctx, epoch); fitErr != nil {
				break
			}
		}
		if fitErr != nil {
			break
		}
		start := time.Now()
		if !cfg.NoShuffle {
			rng.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
			order.run(perm)
		}
		var lossSum float64
		nCorrect, seen := 0, 0
		for s := 0; s < steps; s++ {
			lo := s * batch
			rows := min(batch, train.n-lo)
			t := m.stepTimer()
			m.gather(train, perm[lo:lo+rows])
			t.part(partGather)
			var labels []int32
			var targets []float32
			if train.labels != nil {
				labels = m.yb[:rows]
			} else {
				targets = m.tb[:rows*out]
			}
			if l := m.byteLayer; l != nil {
				l.xbytes, l.ldxb, l.xbytesT, l.ldxbT, l.xDecoded = m.kb, m.ldkb, m.kbT, m.ldkbT, false
				if d := m.byteDrop; d != nil {
					d.bytes, d.kept, d.ldb = m.kb, m.kbDrop, m.ldkb
					l.xbytes, l.xdrop = m.kbDrop, d
				}
			}
			loss, c := m.step(m.xb[:rows*in], labels, targets, rows, &t)
			if l := m.byteLayer; l != nil {
				l.xbytes, l.xbytesT, l.xdrop = nil, nil, nil
				if d := m.byteDrop; d != nil {
					d.bytes, d.kept = nil, nil
				}
			}
			lossSum += loss * float64(rows)
			nCorrect += c
			seen += rows
			bl := BatchLogs{Epoch: epoch, Batch: s, Size: rows, Loss: loss, MeanLoss: lossSum / float64(seen), MeanAccuracy: math.NaN()}
			if m.hasAccuracy() {
				bl.MeanAccuracy = float64(nCorrect) / float64(seen)
			}
			for _, cb := range cfg.Callbacks {
				if fitErr = cb.OnBatchEnd(ctx, bl); fitErr != nil {
					break
				}
			}
			if fitErr != nil || ctx.StopTraining {
				break
			}
		}
		if fitErr != nil {
			break
		}
		e := EpochLog{Epoch: epoch, Loss: lossSum / float64(max(seen, 1)), Accuracy: math.NaN(),
			ValLoss: math.NaN(), ValAccuracy: math.NaN()}
		if m.hasAccuracy() {
			e.Accuracy = float64(nCorrect) / float64(max(seen, 1))
		}
		if val != nil {
			ev := m.evaluate(*val, valBatch)
			e.ValLoss, e.ValAccuracy = ev.Loss, ev.Accuracy
		}
		e.LearningRate = m.opt.CurrentLR()
		e.Seconds = time.Since(start).Seconds()
		if observer != nil {
			v, ok := e.Get(observed)
			if !ok {
				fitErr = fmt.Errorf("nn: the schedule monitors %q, which fit does not report", observed)
				break
			}
			observer.ObserveEpoch(epoch, v)
		}
		h.Epochs = append(h.Epochs, e)
		for _, c := range cfg.Callbacks {
			if fitErr = c.OnEpochEnd(ctx, e); fitErr != nil {
				break
			}
		}
	}
	for _, c := range cfg.Callbacks {
		if err := c.OnTrainEnd(ctx); err != nil && fitErr == nil {
			fitErr = err
		}
	}
	return h, fitErr
}

// Batch order. A batch is a set: the order of its samples changes only
// how its sums are rounded. When a training set's inputs are mostly zeros
// where they are blank (images on a plain background, one-hot or
// bag-of-words features), Fit puts each shuffled batch's samples in the
// order of a key, so that the samples that blas's products take a
// micro-panel at a time (12 rows on avx512) share more of their zeros,
// whose steps the products then leave out (blas's gathered steps). The
// key of an input of two axes (an image) is the number of its columns
// that hold a nonzero value, then of its rows, then its count of nonzero
// values; of other inputs, that count. Fashion-MNIST at batch 256, the
// share of the 784 pixel positions that the 12-sample panels keep: 0.90
// in the shuffle's order, 0.82 by count, 0.76 by class and count, 0.67 by
// this key.
const batchOrderMinZeros = 0.25

// sampleTables makes, in one pass over the training inputs, each
// sample's key for the batch order (when order; nil when fewer than
// batchOrderMinZeros of the inputs are zeros) and the inputs' byte codes
// (see newByteCodes; nil when a value is no byte's). shape is the input's.
func sampleTables(d dataset, shape []int, order bool) (keys []uint64, codes []uint8) {
	in := prod(shape)
	cols := in
	if len(shape) == 2 {
		cols = shape[1]
	}
	if order {
		keys = make([]uint64, d.n)
	}
	codes = newByteCodes(d.x)
	if keys == nil && codes == nil {
		return nil, nil
	}
	var zeros atomic.Int64
	var notBytes atomic.Bool
	runtime.ParallelFor(d.n, 256, runtime.Func(func(lo, hi int) {
		used := make([]bool, cols)
		usedBits := make([]uint64, (cols+63)/64)
		bytes := codes != nil
		z := 0
		for i := lo; i < hi; i++ {
			x := d.x[i*in : (i+1)*in]
			if bytes && !asm.Over255Codes(codes[i*in:(i+1)*in], x) {
				bytes = false
				notBytes.Store(true)
			}
			if keys == nil {
				continue
			}
			var nz int
			if bytes {
				keys[i], nz = sampleKeyBytes(codes[i*in:(i+1)*in], cols, len(shape) == 2, usedBits)
			} else {
				keys[i], nz = sampleKey(x, cols, len(shape) == 2, used)
			}
			z += in - nz
		}
		zeros.Add(int64(z))
	}))
	if notBytes.Load() {
		codes = nil
	}
	if keys != nil && float64(zeros.Load()) < batchOrderMinZeros*float64(len(d.x)) {
		keys = nil
	}
	return keys, codes
}

// sampleKey returns the batch-order key of the input x (rows of cols
// values; image: it has two axes) and its count of nonzero values; used
// is scratch of cols values.
func sampleKey(x []float32, cols int, image bool, used []bool) (key uint64, nz int) {
	clear(used)
	usedCols, usedRows := 0, 0
	for r := 0; r < len(x)/cols; r++ {
		any := false
		for j, v := range x[r*cols : (r+1)*cols] {
			if v != 0 {
				nz++
				any = true
				if !used[j] {
					used[j] = true
					usedCols++
				}
			}
		}
		if any {
			usedRows++
		}
	}
	return orderKey(nz, usedCols, usedRows, image), nz
}

// orderKey is the batch-order key of an input with nz nonzero values in
// usedCols columns and usedRows rows (image: it has two axes): three
// fields of orderKeyBits.
func orderKey(nz, usedCols, usedRows int, image bool) uint64 {
	key := uint64(nz)
	if image {
		key |= uint64(usedCols)<<(2*orderKeyBits) | uint64(usedRows)<<orderKeyBits
	}
	return key
}

const orderKeyBits = 21

// compactKeys writes to dst keys of 32 bits in the order of orderKey's
// keys, each field cut to the bits its largest value needs, and reports
// whether they fit (28x28 images need 5 + 5 + 10).
func compactKeys(dst []uint32, keys []uint64) bool {
	const mask = 1<<orderKeyBits - 1
	var fields [3]uint64 // each field's bits over all keys
	for _, k := range keys {
		fields[0] |= k >> (2 * orderKeyBits)
		fields[1] |= k >> orderKeyBits & mask
		fields[2] |= k & mask
	}
	w1, w2 := bits.Len64(fields[1]), bits.Len64(fields[2])
	if bits.Len64(fields[0])+w1+w2 > 32 {
		return false
	}
	for i, k := range keys {
		dst[i] = uint32(k>>(2*orderKeyBits)<<(w1+w2) | (k>>orderKeyBits&mask)<<w2 | k&mask)
	}
	return true
}

// batchOrder sorts each batch of a permutation of the training samples by
// their keys, stably (samples of equal keys keep the shuffle's order), on
// runtime's threads, a batch at a time. The keys are replaced once per
// Fit by keys of 32 bits in the same order (compactKeys, or their ranks
// among the distinct keys), so that a batch sorts plain integers, key<<32
// | position, in place of calls of a comparison that looks the keys up:
// Fashion-MNIST's 55,000 samples took 3-4 ms an epoch at batch 32 and 6-9
// ms at batch 256 (3-4% of a two-thread epoch) that way.
type batchOrder struct {
	keys32  []uint32 // the samples' keys in 32 bits (same order, same ties)
	scratch []uint64 // len(keys32): a batch's entries at its own offset
	batch   int
	perm    []int32
}

// newBatchOrder returns the order of batches of batch samples by keys
// (nil: no order).
func newBatchOrder(keys []uint64, batch int) *batchOrder {
	if keys == nil {
		return nil
	}
	o := &batchOrder{keys32: make([]uint32, len(keys)), scratch: make([]uint64, len(keys)), batch: batch}
	if compactKeys(o.keys32, keys) {
		return o
	}
	// the distinct keys, sorted (in scratch), then each key's place among
	// them: 8 ms for Fashion-MNIST's keys, were they not compact
	distinct := o.scratch
	copy(distinct, keys)
	slices.Sort(distinct)
	distinct = slices.Compact(distinct)
	for i, k := range keys {
		r, _ := slices.BinarySearch(distinct, k)
		o.keys32[i] = uint32(r)
	}
	return o
}

// batchOrderGrain is the fewest batches a thread sorts.
const batchOrderGrain = 16

// run sorts each batch of perm (a nil order does nothing).
func (o *batchOrder) run(perm []int32) {
	if o == nil {
		return
	}
	o.perm = perm
	runtime.ParallelFor(ceilDiv(len(perm), o.batch), batchOrderGrain, o)
	o.perm = nil
}

// Range sorts batches [lo, hi).
func (o *batchOrder) Range(lo, hi int) {
	for b := lo; b < hi; b++ {
		p0, p1 := b*o.batch, min((b+1)*o.batch, len(o.perm))
		e := o.scratch[p0:p1]
		for i, s := range o.perm[p0:p1] {
			e[i] = uint64(o.keys32[s])<<32 | uint64(i)
		}
		slices.Sort(e)
		// the batch's samples again, in the order of their entries
		for i, v := range e {
			e[i] = uint64(o.perm[p0+int(uint32(v))])
		}
		for i, v := range e {
			o.perm[p0+i] = int32(v)
		}
	}
}

// sampleKeyBytes is sampleKey on an input's byte codes (nonzero where
// their values are), eight at a time: its branches on each value made the
// keys of Fashion-MNIST's training set take 66-74 ms on two threads. used
// is scratch of a bit per column.
func sampleKeyBytes(x []uint8, cols int, image bool, used []uint64) (key uint64, nz int) {
	clear(used)
	usedRows := 0
	for r := 0; r < len(x)/cols; r++ {
		row := x[r*cols : (r+1)*cols]
		rowNZ, j := 0, 0
		for ; j+8 <= cols; j += 8 {
			w := binary.LittleEndian.Uint64(row[j:])
			// the high bit of each nonzero byte
			const low7, high = 0x7f7f7f7f7f7f7f7f, 0x8080808080808080
			m := ((w & low7) + low7 | w) & high
			rowNZ += bits.OnesCount64(m)
			// byte b's bit to bit 56+b, then down: the columns j..j+7
			used[j>>6] |= ((m >> 7) * 0x0102040810204080 >> 56) << (j & 63)
		}
		for ; j < cols; j++ {
			if row[j] != 0 {
				rowNZ++
				used[j>>6] |= 1 << (j & 63)
			}
		}
		nz += rowNZ
		if rowNZ > 0 {
			usedRows++
		}
	}
	usedCols := 0
	for _, u := range used {
		usedCols += bits.OnesCount64(u)
	}
	return orderKey(nz, usedCols, usedRows, image), nz
}

// newByteCodes returns room for x as bytes (filled by sampleTables) when
// x may be bytes scaled to [0, 1] (k/255 as asm.Over255 computes it:
// images loaded as the book and Keras load them, x / 255.) and the active
// level decodes bytes in assembly; else nil. Fit then gathers each batch
// from the bytes, a quarter of the memory traffic of the float32 rows,
// decoded to the same bits. Its rows come from all over a training set
// larger than the caches, so the copy waits on memory: Fashion-MNIST, a
// sorted batch of 256 gathered in 48 µs from bytes against 91 from
// float32 rows on one thread, 35 against 59 on two; of 32, 8.9 against
// 14.4 and 9.6 against 12.6 (medians of 40 alternated rounds of 20
// batches). It takes a quarter of x's memory more.
func newByteCodes(x []float32) []uint8 {
	if !asm.Over255Fast() || len(x) == 0 || !byteGather {
		return nil
	}
	if _, ok := asm.Over255Code(x[0]); !ok {
		return nil // the common case of other data: one look
	}
	codes := make([]uint8, len(x))
	runtime.AdviseHugePages(codes) // before the pages are first written
	return codes
}

// byteTiles: Fit multiplies a byte-coded training set's batches by the
// first layer's kernel on the AMX-INT8 tiles when it can (see
// useByteLayer); tests turn it off to compare.
var byteTiles = true

// useByteLayer chooses byteLayer, the layer that multiplies the batch's
// bytes on the tiles (blas.SgemmBytes), when on and the inputs are byte
// codes: the first layer with weights, a Dense layer reached through
// Flatten layers and at most one plain Dropout (byteDrop, which then
// zeroes the bytes it drops: the book's dropout model at batch 256, epochs
// alternated in one process, 0.81-0.92 of the time of its float path on
// one and two threads), where blas.BytesAvailable. Its products with
// the batch are then x·W = (1/255)·bytes·W and dW = (1/255)·bytesᵀ·dZ,
// computed with integer sums (asm/amxbytes.go: the error is below a float32
// product's, the last bits are not the FMA kernels'); the gather copies
// each batch's bytes, into rows of a multiple of 64 bytes (tile rows read
// across two cache lines cost twice), instead of decoding them (the layer
// decodes x only for a float32 product: dense.floatX; epochs alternated in
// one process, two threads: 0.986 of the time), and the layer transposes
// them for dW. Off, it releases the bytes.
func (m *Sequential) useByteLayer(on bool, rows int) {
	m.byteLayer, m.byteDrop, m.kb, m.kbT, m.kbDrop = nil, nil, nil, nil, nil
	// (dW's depth is the batch; smaller batches stay on the FMA kernels:
	// byteMinRows)
	if !on || !byteTiles || rows > asm.ByteMaxDepth || rows < byteMinRows {
		return
	}
	var layer *dense
	var drop *dropoutLayer
	for _, l := range m.layers {
		if d, ok := l.(*dense); ok && d.inSize <= asm.ByteMaxDepth {
			layer = d
		}
		// one plain Dropout may come first (the book's dropout model): it
		// keeps or zeroes bytes, and the layer scales them by its 1/(1-rate)
		if d, ok := l.(*dropoutLayer); ok && drop == nil && !d.alpha && d.noise == nil && d.rate > 0 && d.rate < 1 {
			drop = d
			continue
		}
		if _, ok := l.(*flatten); !ok {
			break
		}
	}
	// BytesAvailable last: its first call asks the OS for the tile state
	if layer == nil || !blas.BytesAvailable() {
		return
	}
	m.byteLayer, m.byteDrop = layer, drop
	in := prod(m.input)
	m.ldkb = (in + 63) &^ 63
	m.kb = alignedBytes(blas.ByteRowsLen(rows, in, m.ldkb))
	m.ldkbT = (rows + 63) &^ 63
	m.kbT = alignedBytes(blas.ByteRowsLen(in, rows, m.ldkbT))
	if drop != nil {
		m.kbDrop = alignedBytes(blas.ByteRowsLen(rows, in, m.ldkb))
	}
}

// alignedBytes returns n zeroed bytes starting on a 64-byte boundary.
func alignedBytes(n int) []uint8 {
	b := make([]uint8, n+63)
	off := int(-uintptr(unsafe.Pointer(&b[0])) & 63)
	return b[off : off+n : off+n]
}

// gatherParallelElems is the number of values from which gather splits
// its copy across threads. A shuffled batch's rows come from all over a
// training set larger than the caches, so the copy waits on memory, and
// two threads wait at once: with it under the elementwise passes'
// threshold (parallelElems), a batch of 32 Fashion-MNIST images (25,088
// values) is gathered in 8.4 µs instead of 13.4, and two-thread batch-32
// epochs took 0.95-0.97 of the time (paired, on 20,000 real images).
const gatherParallelElems = 1 << 12

// byteGather: Fit gathers batches from byte codes when it can (see
// newByteCodes); tests turn it off to compare.
var byteGather = true

// gatherPrefetchRows is how many rows ahead the gather of byte codes
// prefetches (asm.Prefetch), so that the memory reads of a few rows, each
// too short (784 bytes) for the hardware prefetcher to run ahead on, wait
// together: a batch of 256 Fashion-MNIST images (`nnbench train
// --profile`, two rounds) took 47 µs on two threads against 55 with no
// prefetch (2 rows ahead 50-53, 8 rows 50-66), 77-87 on one against
// 88-101. The float32 rows gained nothing from it: four times as long,
// they keep the prefetcher streaming.
const gatherPrefetchRows = 4

// gather copies the samples idx of d into the step buffers, split across
// threads for a large batch.
func (m *Sequential) gather(d dataset, idx []int32) {
	g := &m.gatherer
	g.m, g.d, g.idx = m, d, idx
	in := prod(m.input)
	if len(idx)*in < gatherParallelElems || runtime.Threads() < 2 {
		g.Range(0, len(idx))
	} else {
		runtime.ParallelFor(len(idx), max(1, gatherParallelElems/2/in), g)
	}
	*g = gatherRows{}
}

// gatherRows is gather's runtime.Body: samples [lo, hi) of the batch.
type gatherRows struct {
	m   *Sequential
	d   dataset
	idx []int32
}

func (g *gatherRows) Range(lo, hi int) {
	m, d := g.m, g.d
	in, out := prod(m.input), m.outCols
	if d.codes != nil {
		for r := lo; r < min(hi, lo+gatherPrefetchRows); r++ {
			i := int(g.idx[r])
			asm.Prefetch(d.codes[i*in : (i+1)*in])
		}
	}
	for r := lo; r < hi; r++ {
		i := int(g.idx[r])
		if d.codes != nil {
			if r+gatherPrefetchRows < hi {
				j := int(g.idx[r+gatherPrefetchRows])
				asm.Prefetch(d.codes[j*in : (j+1)*in])
			}
			if m.kb != nil {
				// the byte layer decodes x when it needs it (dense.floatX)
				copy(m.kb[r*m.ldkb:r*m.ldkb+in], d.codes[i*in:(i+1)*in])
			} else {
				asm.Over255(m.xb[r*in:(r+1)*in], d.codes[i*in:(i+1)*in])
			}
		} else {
			copy(m.xb[r*in:(r+1)*in], d.x[i*in:(i+1)*in])
		}
		if d.labels != nil {
			m.yb[r] = d.labels[i]
		} else {
			copy(m.tb[r*out:(r+1)*out], d.targets[i*out:(i+1)*out])
		}
	}
}

// History is what Fit returns: one EpochLog per epoch run.
type History struct {
	Epochs []EpochLog `json:"epochs"`
}

// EpochLog is one epoch's logs. Metrics that were not computed are NaN
// (and omitted by Get).
type EpochLog struct {
	Epoch        int     `json:"epoch"` // 0-based
	Loss         float64 `json:"loss"`  // mean over the epoch's samples of the batch losses (with penalties)
	Accuracy     float64 `json:"accuracy"`
	ValLoss      float64 `json:"val_loss"`
	ValAccuracy  float64 `json:"val_accuracy"`
	LearningRate float64 `json:"learning_rate"` // the rate the next update would use, as Keras logs it
	Seconds      float64 `json:"seconds"`       // wall time of the epoch, validation included
}

// Get returns a metric by its Keras name: loss, accuracy, val_loss,
// val_accuracy, learning_rate (or lr), seconds; ok is false when the name
// is unknown or the value was not computed.
func (e EpochLog) Get(name string) (v float64, ok bool) {
	switch name {
	case "loss":
		v = e.Loss
	case "accuracy", "acc":
		v = e.Accuracy
	case "val_loss":
		v = e.ValLoss
	case "val_accuracy", "val_acc":
		v = e.ValAccuracy
	case "learning_rate", "lr":
		v = e.LearningRate
	case "seconds":
		v = e.Seconds
	default:
		return 0, false
	}
	return v, !math.IsNaN(v)
}

// Series returns one metric over the epochs (Keras's history.history[name]).
func (h *History) Series(name string) []float64 {
	s := make([]float64, len(h.Epochs))
	for i, e := range h.Epochs {
		v, ok := e.Get(name)
		if !ok {
			v = math.NaN()
		}
		s[i] = v
	}
	return s
}

// epochJSON is EpochLog with NaN as null (encoding/json rejects NaN).
type epochJSON struct {
	Epoch        int      `json:"epoch"`
	Loss         *float64 `json:"loss"`
	Accuracy     *float64 `json:"accuracy"`
	ValLoss      *float64 `json:"val_loss"`
	ValAccuracy  *float64 `json:"val_accuracy"`
	LearningRate *float64 `json:"learning_rate"`
	Seconds      *float64 `json:"seconds"`
}

func nullable(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

func unnull(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// MarshalJSON writes metrics that were not computed (NaN) as null.
func (e EpochLog) MarshalJSON() ([]byte, error) {
	return json.Marshal(epochJSON{e.Epoch, nullable(e.Loss), nullable(e.Accuracy), nullable(e.ValLoss),
		nullable(e.ValAccuracy), nullable(e.LearningRate), nullable(e.Seconds)})
}

// UnmarshalJSON reads null metrics back as NaN.
func (e *EpochLog) UnmarshalJSON(b []byte) error {
	var j epochJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*e = EpochLog{j.Epoch, unnull(j.Loss), unnull(j.Accuracy), unnull(j.ValLoss), unnull(j.ValAccuracy),
		unnull(j.LearningRate), unnull(j.Seconds)}
	return nil
}
