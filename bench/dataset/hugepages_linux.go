package dataset

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// hugePage is the size of an x86-64 or arm64 (4 KiB granule) huge page.
const hugePage = 2 << 20

// adviseHugePages asks Linux to back the whole 2 MiB pages inside x with
// transparent huge pages, before anything is written to them (the pages
// are then huge from their first fault). Where the kernel leaves THP to
// madvise (Debian's default), a training split otherwise sits on 4 KiB
// pages, and a shuffled batch's rows, each on pages of its own, miss the
// TLB on every row: under a hypervisor each miss is a two-level page
// walk. On 2 MiB pages nn's copy of a shuffled batch of 256 Fashion-MNIST
// images (`nnbench train --profile`, six rounds alternated with 4 KiB
// pages) took 0.84 of its time on one thread and on two. A hint: a kernel
// without THP, or one out of huge pages, ignores it; the data is the same.
func adviseHugePages(x []float32) {
	n := uintptr(len(x)) * 4
	if n < hugePage {
		return
	}
	p := uintptr(unsafe.Pointer(unsafe.SliceData(x)))
	lo := (p + hugePage - 1) &^ (hugePage - 1)
	hi := (p + n) &^ (hugePage - 1)
	if hi <= lo {
		return
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(x))), n)
	_ = unix.Madvise(b[lo-p:hi-p], unix.MADV_HUGEPAGE)
}
