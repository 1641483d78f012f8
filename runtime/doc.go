// Package runtime holds what every nnrt kernel caller shares: the thread
// count, a persistent worker pool, 64-byte aligned float32 buffers in size
// classes, and a per-step arena that is reset rather than freed. With these
// a training step, once warm, allocates nothing. AdviseHugePages asks Linux
// to back a large training set with huge pages, whose rows a shuffled
// batch reads from all over it.
//
// Files that also need the standard library's runtime import it as
// goruntime.
package runtime
