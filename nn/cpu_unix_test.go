//go:build unix

package nn_test

import "syscall"

// processCPU returns the user+system CPU seconds this process has used, all
// threads together. On a machine shared with other jobs, CPU time per step
// is a steadier measure than wall time.
func processCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
