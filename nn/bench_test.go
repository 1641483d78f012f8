package nn_test

import (
	"fmt"
	"testing"

	"github.com/nnrt/nnrt/bench/dataset"
	"github.com/nnrt/nnrt/nn"
	"github.com/nnrt/nnrt/runtime"
)

// BenchmarkTrainStep measures one training step (forward, backward, SGD
// update) of the book model on a batch (of one: online learning, whose
// products are matrix-vector products and rank-one updates); it must report
// 0 allocs/op. The
// batches cycle through the embedded Fashion-MNIST subset, as in training:
// repeating one batch would let the model memorize it, and the vanishing
// gradients become subnormal floats, which x86 FMA units process slowly.
//
// Steady state allocates nothing: blas and runtime recycle their records
// and buffers through free lists that the GC does not empty. The few bytes
// a long run (-benchtime 2000x) can still show as B/op come from refills
// after a collection: asm's small scratch pools (softmax statistics, norm
// columns) and the Go runtime's sudog cache behind a worker's parking.
func BenchmarkTrainStep(b *testing.B) {
	// loaded once: per-sub-benchmark loads leave garbage whose collection
	// empties the pools during the timed loop
	d, err := dataset.LoadEmbedded()
	if err != nil {
		b.Fatal(err)
	}
	for _, threads := range []int{1, 2} {
		for _, batch := range []int{1, 32, 256} {
			for _, dropout := range []float32{0, 0.2} {
				name := fmt.Sprintf("threads=%d/batch=%d", threads, batch)
				if dropout > 0 {
					name += fmt.Sprintf("/dropout=%g", dropout)
				}
				b.Run(name, func(b *testing.B) {
					defer runtime.SetThreads(runtime.SetThreads(threads))
					layers := []nn.Layer{nn.Flatten()}
					for _, u := range []int{300, 100} {
						if dropout > 0 {
							layers = append(layers, nn.Dropout(dropout))
						}
						layers = append(layers, nn.Dense(nn.DenseConfig{Units: u, Activation: "elu", KernelInitializer: "he_normal"}))
					}
					if dropout > 0 {
						layers = append(layers, nn.Dropout(dropout))
					}
					layers = append(layers, nn.Dense(nn.DenseConfig{Units: 10, Activation: "softmax"}))
					m := nn.NewSequential([]int{28, 28}, layers...)
					if err := m.Compile(nn.CompileConfig{Optimizer: nn.NewSGD(0.01), Metrics: []string{"accuracy"}}); err != nil {
						b.Fatal(err)
					}
					nb := d.Train.N / batch
					// a few steps fill the buffers and the pools of every worker
					for i := 0; i < 4; i++ {
						lo := (i % nb) * batch
						if _, err := m.TrainOnBatch(d.Train.X[lo*784:(lo+batch)*784], d.Train.Y[lo:lo+batch]); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportAllocs()
					b.ResetTimer()
					cpu0 := processCPU()
					for i := 0; i < b.N; i++ {
						lo := (i % nb) * batch
						if _, err := m.TrainOnBatch(d.Train.X[lo*784:(lo+batch)*784], d.Train.Y[lo:lo+batch]); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(batch), "ns/sample")
					b.ReportMetric((processCPU()-cpu0)*1e9/float64(b.N), "cpu-ns/op")
				})
			}
		}
	}
}

// BenchmarkPredictOne measures the book model's inference on one image at a
// time (a batch of one: its products are matrix-vector products), the
// latency of serving single requests.
func BenchmarkPredictOne(b *testing.B) {
	d, err := dataset.LoadEmbedded()
	if err != nil {
		b.Fatal(err)
	}
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			defer runtime.SetThreads(runtime.SetThreads(threads))
			m := nn.NewSequential([]int{28, 28}, nn.Flatten(),
				nn.Dense(nn.DenseConfig{Units: 300, Activation: "elu", KernelInitializer: "he_normal"}),
				nn.Dense(nn.DenseConfig{Units: 100, Activation: "elu", KernelInitializer: "he_normal"}),
				nn.Dense(nn.DenseConfig{Units: 10, Activation: "softmax"}))
			if err := m.Compile(nn.CompileConfig{Optimizer: nn.NewSGD(0.01)}); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				lo := i % d.Train.N
				if _, err := m.Predict(d.Train.X[lo*784:(lo+1)*784], 1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
