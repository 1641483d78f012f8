package nn_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/nnrt/nnrt/nn"
	"github.com/nnrt/nnrt/runtime"
)

// BenchmarkTrainStep measures one training step (forward, backward, SGD
// update) of the book model on a batch; it must report 0 allocs/op.
func BenchmarkTrainStep(b *testing.B) {
	for _, threads := range []int{1, 2} {
		for _, batch := range []int{32, 256} {
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
					rng := rand.New(rand.NewPCG(1, 1))
					x := make([]float32, batch*784)
					for i := range x {
						x[i] = rng.Float32()
					}
					y := make([]int32, batch)
					for i := range y {
						y[i] = int32(rng.IntN(10))
					}
					if _, err := m.TrainOnBatch(x, y); err != nil {
						b.Fatal(err)
					}
					b.ReportAllocs()
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						if _, err := m.TrainOnBatch(x, y); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(batch), "ns/sample")
				})
			}
		}
	}
}
