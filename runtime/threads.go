package runtime

import (
	"fmt"
	"os"
	goruntime "runtime"
	"strconv"
	"sync/atomic"
)

var threads atomic.Int64

func init() { threads.Store(int64(defaultThreads())) }

// defaultThreads is NNRT_THREADS when set, else GOMAXPROCS. A value that is
// not a positive integer is a start-up error, not silently ignored.
func defaultThreads() int {
	s := os.Getenv("NNRT_THREADS")
	if s == "" {
		return goruntime.GOMAXPROCS(0)
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		panic(fmt.Sprintf("nnrt/runtime: NNRT_THREADS=%q: want a positive integer", s))
	}
	return n
}

// Threads returns the number of threads kernels may use.
func Threads() int { return int(threads.Load()) }

// SetThreads sets the number of threads kernels may use and returns the
// previous value. n < 1 restores the default (NNRT_THREADS, else GOMAXPROCS).
func SetThreads(n int) (prev int) {
	if n < 1 {
		n = defaultThreads()
	}
	return int(threads.Swap(int64(n)))
}
