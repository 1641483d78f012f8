package blas_test

import (
	"fmt"

	"github.com/nnrt/nnrt/blas"
)

// A left operand that is mostly zeros (here a batch of two one-hot rows)
// multiplied on its nonzeros: compress it once, then multiply.
func ExampleSgemmSparse() {
	x := []float32{ // 2×4: rows of one-hot features
		0, 1, 0, 0,
		0, 0, 0, 1,
	}
	w := []float32{ // 4×3
		1, 2, 3,
		4, 5, 6,
		7, 8, 9,
		10, 11, 12,
	}
	var s blas.Sparse
	density := s.Compress(blas.NoTrans, 2, 4, x, 4)
	y := make([]float32, 2*3)
	blas.SgemmSparse(&s, 3, 1, w, 3, 0, y, 3)
	fmt.Println(density, y)
	// Output: 0.5 [4 5 6 10 11 12]
}
