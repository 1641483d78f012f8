//go:build !linux

package dataset

// adviseHugePages is a no-op where Linux's madvise is not there (see the
// Linux version).
func adviseHugePages([]float32) {}
