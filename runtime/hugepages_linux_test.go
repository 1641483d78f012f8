package runtime

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TestAdviseHugePages checks in /proc/self/smaps that the memory
// region holding an advised slice's whole huge pages is eligible for them
// (in the madvise mode of THP only the advice makes it so).
func TestAdviseHugePages(t *testing.T) {
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || bytes.Contains(mode, []byte("[never]")) {
		t.Skip("no transparent huge pages here")
	}
	// A control: an advised mapping of our own shows whether this
	// environment reports the advice at all (qemu-user takes madvise's
	// hints and does nothing).
	ctl, err := unix.Mmap(-1, 0, 2*hugePage, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(ctl)
	if err := unix.Madvise(ctl, unix.MADV_HUGEPAGE); err != nil {
		t.Skipf("madvise: %v", err)
	}
	if ok, found, err := thpEligible(uintptr(unsafe.Pointer(&ctl[0]))); err != nil || !found || !ok {
		t.Skipf("this environment does not report huge-page advice in smaps (%v)", err)
	}
	x := make([]float32, 3*hugePage/4) // 6 MiB: at least two whole huge pages
	b := make([]uint8, 3*hugePage)     // the size counts bytes, not elements
	AdviseHugePages(x)
	AdviseHugePages(b)
	for _, p := range []unsafe.Pointer{unsafe.Pointer(&x[0]), unsafe.Pointer(&b[0])} {
		addr := (uintptr(p) + hugePage - 1) &^ (hugePage - 1)
		eligible, found, err := thpEligible(addr)
		switch {
		case err != nil:
			t.Fatal(err)
		case !found || !eligible:
			t.Errorf("the region at %#x is not eligible for huge pages (THP mode %s)", addr, strings.TrimSpace(string(mode)))
		}
	}
	AdviseHugePages(x[:10]) // too small: nothing to advise, no panic
	AdviseHugePages([]float32(nil))
}

// thpEligible reads the THPeligible field of the mapping that holds addr
// (found is false when the kernel does not report it).
func thpEligible(addr uintptr) (eligible, found bool, err error) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return false, false, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in := false
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		// a mapping's header ("lo-hi perms ..."), or one of its fields
		var lo, hi uintptr
		if !strings.HasSuffix(f[0], ":") {
			if n, _ := fmt.Sscanf(f[0], "%x-%x", &lo, &hi); n == 2 {
				in = lo <= addr && addr < hi
			}
			continue
		}
		if in && f[0] == "THPeligible:" {
			return f[1] == "1", true, nil
		}
	}
	return false, false, sc.Err()
}
