package blas

import (
	"fmt"
	"strings"

	"github.com/klauspost/cpuid/v2"
	"github.com/nnrt/nnrt/asm"
)

// Caches are the data cache sizes in bytes the block sizes are derived
// from; cpuid reports -1 for a level it cannot see (common on virtual
// machines).
type Caches struct{ L1D, L2, L3 int }

// Fallback cache sizes for a level cpuid does not report: the smallest of
// the current x86 and arm64 server cores, so that blocks never overflow.
const (
	fallbackL1D = 32 << 10
	fallbackL2  = 512 << 10
	fallbackL3  = 4 << 20
)

// Blocking is the cache blocking of one level: the microkernel tile and the
// block sizes of the five loops.
type Blocking struct {
	Level  asm.Level
	MR, NR int // microkernel tile (asm)
	KC     int // depth of a packed block: a KC×NR B micro-panel fills half of L1
	MC     int // rows of a packed A block: MC×KC fills half of L2
	NC     int // columns of a packed B block: KC×NC fills half of L3
	Caches Caches
	Notes  []string // the cache levels that fell back to defaults
}

func (b Blocking) String() string {
	s := fmt.Sprintf("%s: tile %dx%d, MC=%d KC=%d NC=%d (L1d %d KiB, L2 %d KiB, L3 %d KiB)",
		b.Level, b.MR, b.NR, b.MC, b.KC, b.NC, b.Caches.L1D>>10, b.Caches.L2>>10, b.Caches.L3>>10)
	if len(b.Notes) > 0 {
		s += "; " + strings.Join(b.Notes, ", ")
	}
	return s
}

// DetectCaches returns the cache sizes cpuid reports.
func DetectCaches() Caches {
	c := cpuid.CPU.Cache
	return Caches{L1D: c.L1D, L2: c.L2, L3: c.L3}
}

// NewBlocking derives the block sizes for a mr×nr microkernel from the cache
// sizes c; unknown (non-positive) sizes fall back to defaults, named in
// Notes. This is the one place block sizes are computed.
//
// The loop order is BLIS's: a KC×NR micro-panel of packed B stays in L1
// while the microkernel streams the MR×KC micro-panels of the packed MC×KC
// block of A from L2; the KC×NC block of B lives in L3. Each gets half of
// its cache, leaving the other half to the stream that passes through it.
func NewBlocking(l asm.Level, mr, nr int, c Caches) Blocking {
	b := Blocking{Level: l, MR: mr, NR: nr}
	fb := func(v, def int, name string) int {
		if v > 0 {
			return v
		}
		b.Notes = append(b.Notes, fmt.Sprintf("%s unknown, assumed %d KiB", name, def>>10))
		return def
	}
	b.Caches = Caches{
		L1D: fb(c.L1D, fallbackL1D, "L1d"),
		L2:  fb(c.L2, fallbackL2, "L2"),
		L3:  fb(c.L3, fallbackL3, "L3"),
	}
	b.KC = clamp(b.Caches.L1D/2/(nr*4)&^7, 64, 1024)
	b.MC = max(mr, clamp(b.Caches.L2/2/(b.KC*4), mr, 4096)/mr*mr)
	b.NC = max(nr, clamp(b.Caches.L3/2/(b.KC*4), nr, 16384)/nr*nr)
	return b
}

func clamp(v, lo, hi int) int { return min(max(v, lo), hi) }
