//go:build !linux

package runtime

// AdviseHugePages does nothing outside Linux.
func AdviseHugePages[T any](s []T) {}
