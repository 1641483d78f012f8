package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/nnrt/nnrt/runtime"
)

// BenchmarkBatchNorm measures a BatchNormalization layer's training-mode
// forward and backward pass (with the input gradient) on a batch of the
// book's input width and of its first hidden layer's.
func BenchmarkBatchNorm(b *testing.B) {
	for _, threads := range []int{1, 2} {
		for _, sh := range [][2]int{{32, 784}, {256, 784}, {256, 300}} {
			rows, f := sh[0], sh[1]
			b.Run(fmt.Sprintf("threads=%d/%dx%d", threads, rows, f), func(b *testing.B) {
				defer runtime.SetThreads(runtime.SetThreads(threads))
				bn := BatchNormalization(BatchNormConfig{}).(*batchNorm)
				if _, err := bn.build([]int{f}, 0, &paramBudget{}); err != nil {
					b.Fatal(err)
				}
				bn.reserve(rows)
				r := rand.New(rand.NewPCG(1, 2))
				x, dy := make([]float32, rows*f), make([]float32, rows*f)
				for i := range x {
					x[i], dy[i] = r.Float32(), r.Float32()-0.5
				}
				b.SetBytes(int64(4 * rows * f))
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					bn.forward(x, rows, training)
					bn.backward(dy, rows, true)
				}
			})
		}
	}
}
