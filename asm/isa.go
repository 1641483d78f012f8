// Package asm holds every SIMD kernel of nnrt (AVX2+FMA, AVX-512, NEON), the
// pure-Go reference of each, and the dispatch that picks one level per
// process from the CPU features.
//
// # Layout
//
// Kernels come in families (vec, act, softmax, dropout, norm, bnorm, optim,
// gemm, spmm, decode).
// A family F is:
//
//   - F.go: the exported functions, each documented with its exact semantics
//     as a Go loop; the argument checks (panics with fixed messages, as
//     gonum's blas does); the family's table type fKernels; and the generic
//     (pure-Go) reference implementation, always compiled: it is the purego
//     build, the fallback on other architectures and the test oracle.
//   - F_amd64.go, F_amd64.s (build tag !purego): the avx2 and avx512 tables
//     and the assembly behind them; F_arm64.go, F_arm64.s: the neon table.
//   - fFor(Level) *fKernels: the table of a level, defined once per
//     architecture (F_noasm.go for purego and other GOARCHes). Tests call it
//     for every level in Supported().
//
// Exported functions check their arguments and then call through the active
// table, so the assembly may assume valid lengths.
package asm

import (
	"fmt"
	"os"
	goruntime "runtime"
	"strings"

	"github.com/klauspost/cpuid/v2"
)

// Level is an instruction-set level: one table of kernels.
type Level int

const (
	Generic Level = iota // pure Go, every architecture, the purego build
	AVX2                 // amd64 with AVX2 and FMA3
	AVX512               // amd64 with AVX-512 F, BW, DQ and VL
	NEON                 // arm64 Advanced SIMD
	AMX                  // avx512 with AMX-BF16 tiles (Linux): avx512's kernels, SGEMM's larger products on the tiles
)

var levelNames = [...]string{Generic: "generic", AVX2: "avx2", AVX512: "avx512", NEON: "neon", AMX: "amx"}

func (l Level) String() string {
	if l < 0 || int(l) >= len(levelNames) {
		return fmt.Sprintf("Level(%d)", int(l))
	}
	return levelNames[l]
}

// ParseLevel parses "generic", "avx2", "avx512", "neon" or "amx".
func ParseLevel(s string) (Level, error) {
	for l, n := range levelNames {
		if s == n {
			return Level(l), nil
		}
	}
	return Generic, fmt.Errorf("unknown ISA level %q (want one of %s)", s, strings.Join(levelNames[:], ", "))
}

// Features are the CPU features the level selection depends on.
type Features struct {
	Arch                                  string // GOARCH
	AVX2, FMA3                            bool
	AVX512F, AVX512BW, AVX512DQ, AVX512VL bool
	ASIMD                                 bool
	AMX                                   bool // AMX-TILE and AMX-BF16, and the OS granted the tile state
	AMXInt8                               bool // AMX also has INT8 (the byte products, amxbytes.go)
	// TileInt8: the CPU has AMX-TILE and AMX-INT8, whether or not the OS
	// granted the tile state (see OffersBytes)
	TileInt8 bool
}

// DetectFeatures reads the features of this CPU with klauspost/cpuid (which
// also checks that the OS saves the wide registers). AMX is requested from
// the OS at start-up, and so reported, only when NNRT_ISA=amx: once the
// tile state is granted, Linux sizes every signal frame of the process for
// its 8 KiB and refuses smaller alternate signal stacks (a C library's
// SIGSTKSZ of 8 KiB among them), which a library must not impose on every
// program that imports it. (The default level requests it later, for the
// byte products, when a program first multiplies bytes: see
// BytesAvailable.)
func DetectFeatures() Features {
	c := &cpuid.CPU
	f := Features{
		Arch:     goruntime.GOARCH,
		AVX2:     c.Supports(cpuid.AVX2),
		FMA3:     c.Supports(cpuid.FMA3),
		AVX512F:  c.Supports(cpuid.AVX512F),
		AVX512BW: c.Supports(cpuid.AVX512BW),
		AVX512DQ: c.Supports(cpuid.AVX512DQ),
		AVX512VL: c.Supports(cpuid.AVX512VL),
		ASIMD:    c.Supports(cpuid.ASIMD) || goruntime.GOARCH == "arm64", // ASIMD is mandatory on arm64
		AMX:      compiledAsm && os.Getenv("NNRT_ISA") == "amx" && c.Supports(cpuid.AMXTILE) && c.Supports(cpuid.AMXBF16) && requestAMX(),
	}
	f.TileInt8 = c.Supports(cpuid.AMXTILE) && c.Supports(cpuid.AMXINT8)
	f.AMXInt8 = f.AMX && f.TileInt8
	return f
}

// Supported returns the levels this build can run on a CPU with features f,
// lowest first. It is a pure function of f and of the build (purego or not).
func Supported(f Features) []Level {
	levels := []Level{Generic}
	if !compiledAsm {
		return levels
	}
	switch f.Arch {
	case "amd64":
		if f.AVX2 && f.FMA3 {
			levels = append(levels, AVX2)
			if f.AVX512F && f.AVX512BW && f.AVX512DQ && f.AVX512VL {
				levels = append(levels, AVX512)
				if f.AMX {
					levels = append(levels, AMX)
				}
			}
		}
	case "arm64":
		if f.ASIMD {
			levels = append(levels, NEON)
		}
	}
	return levels
}

// Select returns the highest supported level but amx, or the level capName
// names when it is not empty (the value of NNRT_ISA). A name that is no
// level, or a level this CPU or build cannot run, is an error.
//
// amx is chosen only by name (and only then requested from the OS, see
// DetectFeatures): on the Xeon (Emerald Rapids, under KVM) it
// was measured on, its tiles ran the SGEMM kernel at about 2.7 times the
// FMA kernels' rate in some minutes and at 0.6 times in others, the phase
// changing every few seconds with nothing else running (see README), so it
// is not a safe default there.
func Select(f Features, capName string) (Level, error) {
	levels := Supported(f)
	best := levels[len(levels)-1]
	if best == AMX {
		best = levels[len(levels)-2]
	}
	if capName == "" {
		return best, nil
	}
	c, err := ParseLevel(capName)
	if err != nil {
		return Generic, fmt.Errorf("NNRT_ISA: %v", err)
	}
	for _, l := range levels {
		if l == c {
			return c, nil
		}
	}
	return Generic, fmt.Errorf("NNRT_ISA=%s: not supported here (arch %s, purego=%v; supported: %v)", capName, f.Arch, !compiledAsm, levels)
}

var (
	features = DetectFeatures()
	active   = mustSelect()
)

func mustSelect() Level {
	l, err := Select(features, os.Getenv("NNRT_ISA"))
	if err != nil {
		panic("nnrt/asm: " + err.Error())
	}
	return l
}

// ISA reports the active level.
func ISA() Level { return active }

// Available reports the levels this machine and build support, lowest first.
func Available() []Level { return Supported(features) }

// OnRequest reports the levels this machine has but a process gets only by
// naming them in NNRT_ISA at start-up: amx, on a Linux CPU with AMX-BF16,
// when NNRT_ISA does not name it (see DetectFeatures). A tool that wants to
// measure one runs a process of its own with NNRT_ISA set.
func OnRequest() []Level {
	f := features
	if !compiledAsm || f.AMX || goruntime.GOOS != "linux" || f.Arch != "amd64" ||
		!cpuid.CPU.Supports(cpuid.AMXTILE) || !cpuid.CPU.Supports(cpuid.AMXBF16) {
		return nil
	}
	f.AMX = true
	if l := Supported(f); l[len(l)-1] == AMX {
		return []Level{AMX}
	}
	return nil
}

// Why says why the active level was chosen: the features seen and NNRT_ISA.
func Why() string {
	f := features
	var seen []string
	for _, p := range []struct {
		name string
		on   bool
	}{{"avx2", f.AVX2}, {"fma3", f.FMA3}, {"avx512f", f.AVX512F}, {"avx512bw", f.AVX512BW},
		{"avx512dq", f.AVX512DQ}, {"avx512vl", f.AVX512VL}, {"asimd", f.ASIMD}, {"amx", f.AMX}} {
		if p.on {
			seen = append(seen, p.name)
		}
	}
	s := fmt.Sprintf("%s on %s: features [%s]", active, f.Arch, strings.Join(seen, " "))
	if !compiledAsm {
		s += "; assembly not compiled (purego build or unsupported GOARCH)"
	}
	if c := os.Getenv("NNRT_ISA"); c != "" {
		s += "; chosen by NNRT_ISA=" + c
	} else if len(OnRequest()) > 0 {
		s += "; the amx level (float32 products on the AMX tiles) needs NNRT_ISA=amx"
	}
	if bytesOffered {
		s += "; byte products (image batches) on the AMX-INT8 tiles"
	}
	return s
}
