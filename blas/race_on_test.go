//go:build race

package blas

// raceEnabled: the race detector allocates on its own account (and makes any
// sync.Pool drop items at random), so allocation counts are meaningless
// under it.
const raceEnabled = true
