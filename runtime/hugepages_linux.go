package runtime

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// hugePage is the size of an x86-64 or arm64 (4 KiB granule) huge page.
const hugePage = 2 << 20

// AdviseHugePages asks Linux to back the whole 2 MiB pages inside the n
// bytes at p with transparent huge pages; called before anything is
// written to them, the pages are huge from their first fault. Where the
// kernel leaves THP to madvise (Debian's default), a training set
// otherwise sits on 4 KiB pages, and a shuffled batch's rows, each on
// pages of its own, miss the TLB on every row: under a hypervisor each
// miss is a two-level page walk. A hint: a kernel without THP, or one out
// of huge pages, ignores it; the data is the same.
func AdviseHugePages[T any](s []T) {
	n := uintptr(len(s)) * unsafe.Sizeof(*new(T))
	if n < hugePage {
		return
	}
	p := uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	lo := (p + hugePage - 1) &^ (hugePage - 1)
	hi := (p + n) &^ (hugePage - 1)
	if hi <= lo {
		return
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), n)
	_ = unix.Madvise(b[lo-p:hi-p], unix.MADV_HUGEPAGE)
}
