//go:build !unix

package nn_test

// processCPU is unavailable here; the benchmark then reports 0 CPU time.
func processCPU() float64 { return 0 }
