package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/nnrt/nnrt/asm"
	"github.com/nnrt/nnrt/blas"
	"github.com/nnrt/nnrt/reg"
	"github.com/nnrt/nnrt/runtime"
)

// DenseConfig configures a Dense layer as Keras's Dense does. Empty strings
// take Keras's defaults: no activation, glorot_uniform kernel, zeros bias.
type DenseConfig struct {
	Units             int                 `json:"units"`
	Activation        string              `json:"activation,omitempty"`
	KernelInitializer string              `json:"kernel_initializer,omitempty"`
	BiasInitializer   string              `json:"bias_initializer,omitempty"`
	KernelRegularizer reg.L1L2            `json:"kernel_regularizer"`
	BiasRegularizer   reg.L1L2            `json:"bias_regularizer"`
	KernelConstraint  *reg.ConstraintSpec `json:"kernel_constraint,omitempty"`
	// UseBias false drops the bias (Keras use_bias=False); nil means true.
	UseBias *bool `json:"use_bias,omitempty"`
}

type dense struct {
	layerBase
	cfg          DenseConfig
	act          activation
	kernel, bias *Param

	x     []float32 // the input of the last forward pass (not owned)
	z, dz []float32 // pre-activation and its gradient (y: the output)
	// ldz is dz's row stride: units rounded up to whole vectors of 16, so
	// that the dW products read dz's rows aligned, in place (SgemmSparse
	// otherwise copies all of dz on each thread first). Two threads, the
	// book's first layer: the sparse dW 0.93 of the time at batch 256, 0.95
	// at 32; the training step (BenchmarkTrainStep, six paired rounds)
	// 0.94 and 0.97. The values, and so the bits, are the same.
	ldz   int
	par   elementwise // the activation's passes, split across threads
	bsum  colSums     // the bias gradient's column sums
	bpart []float32   // their blocks' sums (see colSums)

	// The input's products on its nonzeros (see sparseGate): xs holds
	// the input compressed (x for the forward product, then xᵀ for dW);
	// sparse and sparseDW say whether the last passes used it.
	xs               blas.Sparse
	fwdGate, dwGate  sparseGate
	sparse, sparseDW bool

	// The batch's bytes when the model's gather provides them for this
	// step (x = bytes/255, row stride ldxb; see Sequential.useByteLayer)
	// and room for their transpose (ldxbT), and the kernel and dZ split
	// for their products on the tiles. The gather then leaves x itself to
	// be decoded from the bytes by a float32 product that needs it
	// (floatX: the last, short batch of an epoch, or a W or dZ that holds
	// NaN or ±Inf); xDecoded says whether it has been.
	xbytes, xbytesT []uint8
	ldxb, ldxbT     int
	wb, dzb         blas.BytePacked
	xbT             byteTranspose
	xDecoded        bool
	// xdrop: the Dropout between the bytes and this layer, if any
	// (Sequential.byteDrop): xbytes then holds the bytes it kept, x its
	// output, scaled by its 1/(1-rate), which floatX makes from the bytes.
	xdrop *dropoutLayer
}

// floatX makes sure l.x holds the batch's values: decoded from its bytes
// when the gather left them there (see xbytes), and dropped as the
// Dropout before this layer would have.
func (l *dense) floatX(rows int) {
	if l.xbytes == nil || l.xDecoded {
		return
	}
	in := l.inSize
	if l.xdrop != nil {
		l.xdrop.decodeBytes(l.x[:rows*in], rows)
	} else {
		for r := 0; r < rows; r++ {
			asm.Over255(l.x[r*in:(r+1)*in], l.xbytes[r*l.ldxb:r*l.ldxb+in])
		}
	}
	l.xDecoded = true
}

// dropScale is the Dropout's float32 1/(1-rate) when one is between the
// bytes and this layer, else 1: x is the kept bytes times dropScale/255.
// Their product differs from that of x, whose every value the Dropout
// rounded, by less than a float32 product's rounding.
func (l *dense) dropScale() float64 {
	if l.xdrop != nil {
		return float64(1 / (1 - l.xdrop.rate))
	}
	return 1
}

// byteTranspose transposes a batch's bytes for dW on the threads, by runs
// of 64 of its columns (asm.ByteTranspose's blocks): 30 µs on one thread
// for the book's batch of 256.
type byteTranspose struct {
	dst, src             []uint8
	ldd, lds, rows, cols int
}

func (t *byteTranspose) run(dst []uint8, ldd int, src []uint8, lds, rows, cols int) {
	*t = byteTranspose{dst: dst, src: src, ldd: ldd, lds: lds, rows: rows, cols: cols}
	runtime.ParallelFor((cols+63)/64, 1, t)
	t.dst, t.src = nil, nil
}

func (t *byteTranspose) Range(lo, hi int) {
	c0, c1 := 64*lo, min(64*hi, t.cols)
	asm.ByteTranspose(t.dst[c0*t.ldd:], t.ldd, t.src[c0:], t.lds, t.rows, c1-c0)
}

// byteMinRows is the smallest batch whose products with the bytes run on
// the tiles (see Sequential.useByteLayer). W is split anew each step (then
// 57-121 µs for the book's 784x300 on two and one threads, now 40-68), and
// a product of depth 32 (dW at batch 32: one chunk of the tiles) spends
// as long writing its block of C as on the tiles, where the tiles save
// some 0.8 µs a sample in the forward product: at batch 32 the book's
// epoch took 0.44-0.69 of PyTorch's time with them (`peer epoch`,
// NNRT_ISA=amx) against 0.20-0.24 without; at 256, 0.85-0.91 of the FMA
// path's time.
var byteMinRows = 256

// Sparse inputs. A batch whose values are mostly zeros (images with a
// blank background, one-hot or bag-of-words features, an input dropout)
// is multiplied on its nonzeros (blas.SgemmSparse), in the forward pass
// (x by rows) and in dW (xᵀ by rows: pairs of adjacent features), each when
// a pair of rows leaves at most sparseMaxDensityFwd (forward) or
// sparseMaxDensity (dW) of the dense multiply-adds. Measured on
// Fashion-MNIST batches of 256 (pixels half zeros) with more zeros added,
// two threads, before the dense forward was split by depth, the sparse products
// against the dense ones (forward, dW): densities 0.66 and 0.55 (x and xᵀ
// of plain Fashion-MNIST; the forward stays dense) 1.00 and 1.28, 0.58 and
// 0.51 (with the book's input dropout 0.2) 1.04 and 1.32, 0.34 1.44 and
// 1.74, 0.19 1.79 and 2.42. Below sparseMinRows rows the copy of the kernel to aligned
// rows that the forward product makes costs more than it saves (batch 32:
// 0.57); dW copies only dZ and takes batches from sparseMinRowsDW rows:
// the book's step (plain Fashion-MNIST, sparse dW against dense,
// alternated in one process) took 0.96-0.97 of the time at batch 32 on
// one thread and 0.995-1.02 on two (0.94 and 0.96 with dropout 0.2), 0.93
// and 0.95 at batch 64, but 1.02 and 1.07 at batch 16. A product whose
// operand is too dense looks again after
// sparseRecheck passes, so a dense input costs one compression (1/15 of
// its product) per sparseRecheck steps; but only when the look before
// found it too dense as well: batches of one dataset scatter about their
// density (Fashion-MNIST's xᵀ at batch 32: 0.48 to 0.62, median 0.55, 3%
// of the batches above 0.6), and a wait of sparseRecheck passes after
// each batch above the bound had kept the dW of batch 32 dense for about
// two steps in three. The choice depends only on the
// data, so a seed still gives the same bits, on any number of threads.
//
// The forward takes sparseMaxDensityFwd: on several threads the dense
// forward of a layer such as the book's first is split by depth, each
// thread reading only the rows of W that its share of dW (dense or sparse)
// updates, while the sparse one is split by pairs of rows and each thread
// reads all of W, half of it written on the other core. The book's step at
// batch 256 on two threads, sparse forward against dense (alternated every
// ten steps; dropout rates 0.2, 0.4, 0.6 before each layer, pair densities
// 0.59, 0.48, 0.34): 1.025, 0.99, 0.905 of the time. On one thread the
// sparse forward still won at 0.59 (0.984), which the lower bound gives up
// so that the choice, and the bits, do not depend on the thread count.
var (
	sparseMaxDensity    = 0.6
	sparseMaxDensityFwd = 0.45
	sparseMinRows       = 128
	sparseMinRowsDW     = 32
	// sparseOn: the level has assembly for the sparse products (avx512,
	// amx, avx2; on the others, asm's Go loops would be slower than the
	// dense products).
	sparseOn = asm.SparseFast()
)

const sparseRecheck = 64

// sparseGate decides, for one product of a layer, whether to multiply its
// left operand on its nonzeros: it compresses the operand into s when it
// looks, and then keeps it when sparse enough.
type sparseGate struct {
	denseFor int  // passes left before the next look at a dense operand
	rejected bool // the last look found the operand too dense
}

func (g *sparseGate) admit(s *blas.Sparse, tA blas.Transpose, m, k int, a []float32, lda, rows, minRows int, maxDensity float64) bool {
	if !sparseOn || rows < minRows {
		return false
	}
	if g.denseFor > 0 {
		g.denseFor--
		return false
	}
	if s.Compress(tA, m, k, a, lda) > maxDensity {
		if g.rejected {
			g.denseFor = sparseRecheck
		}
		g.rejected = true
		return false
	}
	g.rejected = false
	return true
}

// Dense is a fully connected layer: y = act(x·W + b) with W of shape
// (inputs, units).
func Dense(cfg DenseConfig) Layer { return &dense{cfg: cfg} }

func (l *dense) Spec() LayerSpec {
	c := l.cfg
	return LayerSpec{Kind: "dense", Name: l.name, Dense: &c}
}

func (l *dense) useBias() bool { return l.cfg.UseBias == nil || *l.cfg.UseBias }

func (l *dense) build(in []int, seed uint64, pb *paramBudget) ([]int, error) {
	c := l.cfg
	if len(in) != 1 {
		return nil, fmt.Errorf("dense needs flat input, got shape %v: add Flatten before it", in)
	}
	if c.Units <= 0 {
		return nil, fmt.Errorf("dense units must be > 0, got %d", c.Units)
	}
	act, err := lookupActivation(c.Activation)
	if err != nil {
		return nil, err
	}
	ki, bi := c.KernelInitializer, c.BiasInitializer
	if ki == "" {
		ki = "glorot_uniform"
	}
	if bi == "" {
		bi = "zeros"
	}
	kinit, err := lookupInitializer(ki)
	if err != nil {
		return nil, err
	}
	binit, err := lookupInitializer(bi)
	if err != nil {
		return nil, err
	}
	if err := c.KernelRegularizer.Validate(); err != nil {
		return nil, err
	}
	if err := c.BiasRegularizer.Validate(); err != nil {
		return nil, err
	}
	l.act = act
	l.setShapes(in, []int{c.Units})
	rng := rand.New(rand.NewPCG(seed, 0x6e6e7274))
	shapes := [][]int{{in[0], c.Units}}
	if l.useBias() {
		shapes = append(shapes, []int{c.Units})
	}
	if err := pb.charge(shapes...); err != nil {
		return nil, err
	}
	l.kernel = newParam(l.name+"/kernel", true, in[0], c.Units)
	l.kernel.fusable = true
	l.kernel.Penalty = c.KernelRegularizer
	if c.KernelConstraint != nil {
		if l.kernel.Constrain, err = reg.NewConstraint(*c.KernelConstraint); err != nil {
			return nil, err
		}
	}
	kinit.fill(l.kernel.Value, in[0], c.Units, rng)
	l.params = []*Param{l.kernel}
	if l.useBias() {
		l.bias = newParam(l.name+"/bias", true, c.Units)
		l.bias.Penalty = c.BiasRegularizer
		binit.fill(l.bias.Value, c.Units, 1, rng)
		l.params = append(l.params, l.bias)
	}
	return l.out, nil
}

func (l *dense) reserve(rows int) {
	l.capRows = rows
	l.z = grow(l.z, rows*l.outSize)
	l.ldz = l.outSize
	if !l.act.linear() {
		l.y = grow(l.y, rows*l.outSize)
		l.ldz = (l.outSize + 15) &^ 15
		l.dz = grow(l.dz, rows*l.ldz)
		// the padding is never written, nor read as data (see colSums):
		// zeros, so that nothing stale lies in a row
		clear(l.dz)
	}
	l.dx = grow(l.dx, rows*l.inSize)
	if l.bias != nil {
		l.bpart = grow(l.bpart, colSumsPartLen(rows, l.outSize, l.ldz))
	}
}

func (l *dense) forward(x []float32, rows int, m mode) []float32 {
	in, units := l.inSize, l.outSize
	l.x = x[:rows*in]
	z := l.z[:rows*units]
	l.sparse = false
	if l.xbytes != nil && rows >= byteMinRows && l.wb.Pack(in, units, l.kernel.Value, units) {
		blas.SgemmBytes(rows, l.dropScale()/255, l.xbytes, l.ldxb, &l.wb, 0, z, units)
	} else {
		l.floatX(rows)
		if l.sparse = l.fwdGate.admit(&l.xs, blas.NoTrans, rows, in, l.x, in, rows, sparseMinRows, sparseMaxDensityFwd); l.sparse {
			blas.SgemmSparse(&l.xs, units, 1, l.kernel.Value, units, 0, z, units)
		} else {
			blas.Sgemm(blas.NoTrans, blas.NoTrans, rows, units, in, 1, l.x, in, l.kernel.Value, units, 0, z, units)
		}
	}
	linear := l.act.linear() || (l.fuseSoft && !m.probs())
	var y []float32
	if !linear {
		y = l.y[:rows*units]
	}
	switch {
	case l.bias != nil:
		l.act.applyBias(&l.par, y, z, l.bias.Value, linear)
	case !linear:
		l.act.apply(&l.par, y, z, units)
	}
	if linear {
		return z
	}
	return y
}

func (l *dense) backward(dy []float32, rows int, needDX bool) []float32 {
	in, units := l.inSize, l.outSize
	dz, ldz := dy[:rows*units], units
	if !l.act.linear() && !l.fuseSoft {
		dz, ldz = l.dz[:rows*l.ldz], l.ldz
		l.act.grad(&l.par, dz, ldz, dy[:rows*units], l.y[:rows*units], units)
	}
	if l.bias != nil {
		l.bsum.run(l.bias.Grad, dz, ldz, l.bpart)
	}
	var dx []float32
	if needDX {
		// before a fused update changes the kernel
		dx = l.dx[:rows*in]
		blas.Sgemm(blas.NoTrans, blas.Trans, rows, in, units, 1, dz, ldz, l.kernel.Value, units, 0, dx, in)
	}
	// dW = xᵀ·dz, or with a fused update W = decay·W - lr·xᵀ·dz (see
	// Param.fusable), the penalty taken on W as the forward pass used it
	alpha, beta, dw := float32(1), float32(0), l.kernel.Grad
	if k := l.kernel; k.fuseLR != 0 {
		alpha, beta, dw = -k.fuseLR, k.fuseDecay, k.Value
		k.fusedPenalty = k.Penalty.Penalty(k.Value)
	}
	if l.xbytes != nil && rows >= byteMinRows && l.dzb.Pack(rows, units, dz, ldz) {
		// the optimizer's row updates (fuseRows) then run on dW as usual
		l.sparseDW = false
		l.xbT.run(l.xbytesT, l.ldxbT, l.xbytes, l.ldxb, rows, in)
		blas.SgemmBytes(in, float64(alpha)*l.dropScale()/255, l.xbytesT, l.ldxbT, &l.dzb, beta, dw, units)
		return dx
	}
	l.floatX(rows)
	l.sparseDW = l.dwGate.admit(&l.xs, blas.Trans, in, rows, l.x, in, rows, sparseMinRowsDW, sparseMaxDensity)
	switch k := l.kernel; {
	case l.sparseDW && k.fuseRows != nil:
		// the optimizer's update, a group of dW's rows at a time
		k.fusedPenalty = k.Penalty.Penalty(k.Value)
		blas.SgemmSparseRows(&l.xs, units, 1, dz, ldz, k.fuseRows)
		k.updated = true
	case l.sparseDW:
		blas.SgemmSparse(&l.xs, units, alpha, dz, ldz, beta, dw, units)
	default:
		blas.Sgemm(blas.Trans, blas.NoTrans, in, units, rows, alpha, l.x, in, dz, ldz, beta, dw, units)
	}
	return dx
}
