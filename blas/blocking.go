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
	KC     int // depth of a packed block: an MR×KC A micro-panel fills half of L1
	NC     int // columns of a packed B block: KC×NC fills half of L2
	MC     int // rows of a packed A block: MC×KC within half of L3, at most maxMC
	Caches Caches
	Notes  []string // the cache levels that fell back to defaults
}

func (b Blocking) String() string {
	s := fmt.Sprintf("%s: tile %dx%d, MC=%d KC=%d NC=%d (L1d %d KiB, L2 %d KiB, L3 %d KiB)",
		b.Level, b.MR, b.NR, b.MC, b.KC, b.NC, b.Caches.L1D>>10, b.Caches.L2>>10, b.Caches.L3>>10)
	if b.Level == asm.AMX {
		s += fmt.Sprintf("; products with m*n >= %d*(m+n) and k >= %d on the AMX tiles (32x32 blocks of C, depth blocks of at most %d, rows in blocks of %d)",
			amxReuse, amxMinK, amxKC, amxMC)
	}
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
// The loop order is that of BLIS's skx configuration (see driver): an MR×KC
// micro-panel of packed A stays in L1 while the microkernel streams the
// KC×NR micro-panels of the packed KC×NC block of B from L2. Each gets 3/8
// of its cache, leaving the rest to what passes through it (B's and C's
// lines in L1, A's and C's in L2). Measured on an AVX-512 Xeon (L1d 48 KiB,
// L2 2 MiB), paired runs of 1024^3 and 2048^3 on one thread: KC=384,
// NC=512 (3/8) ran 5-10% faster than KC=NC=512 (1/2); KC=384 with NC=672
// and KC=256 with NC=1024 fell between. The MC×KC block of A is only streamed
// (each micro-panel once); MC bounds the per-worker packing buffer and sets
// the grain of the split across threads.
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
	b.KC = clamp(b.Caches.L1D*3/8/(mr*4)&^15, 64, maxKC)
	b.NC = clamp(b.Caches.L2*3/8/(b.KC*4), nr, 8192) / nr * nr
	b.MC = clamp(b.Caches.L3/2/(b.KC*4), mr, maxMC) / mr * mr
	return b
}

// maxKC bounds the depth: past it the C tile's load and store per block is
// already under 1% of the block's work. maxMC bounds the rows of a worker's
// packing buffer (MC×KC floats).
const (
	maxKC = 512
	maxMC = 1024
)

func clamp(v, lo, hi int) int { return min(max(v, lo), hi) }
