//go:build !unix

package kernels

import "time"

// processCPU is not implemented here: Sample with the CPU clock reports NaN.
func processCPU() (time.Duration, bool) { return 0, false }
