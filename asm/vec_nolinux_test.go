//go:build !linux

package asm

import "time"

// benchThreadCPU is 0 where the thread's CPU time is not read: the
// benchmarks then report wall time only.
func benchThreadCPU() time.Duration { return 0 }
