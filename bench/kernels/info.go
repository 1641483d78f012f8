package kernels

import (
	"fmt"
	goruntime "runtime"

	"github.com/klauspost/cpuid/v2"
	"github.com/nnrt/nnrt/asm"
	"github.com/nnrt/nnrt/blas"
	nrt "github.com/nnrt/nnrt/runtime"
)

// MachineInfo is what `nnbench info` reports: the kernel level in use and
// why, the CPU and its caches as cpuid reports them, the thread count and
// the Go toolchain.
type MachineInfo struct {
	ISA       string   `json:"isa"`
	Why       string   `json:"isa_why"`
	Available []string `json:"isa_available"`

	CPU            string `json:"cpu"`
	Vendor         string `json:"vendor"`
	Hypervisor     string `json:"hypervisor,omitempty"`
	Family         int    `json:"family"`
	Model          int    `json:"model"`
	Stepping       int    `json:"stepping"`
	PhysicalCores  int    `json:"physical_cores"`
	LogicalCores   int    `json:"logical_cores"`
	ThreadsPerCore int    `json:"threads_per_core"`

	// Cache sizes in bytes as cpuid reports them; -1 means cpuid could not
	// tell (common on virtual machines), and CacheNotes says so.
	L1D        int      `json:"l1d_bytes"`
	L1I        int      `json:"l1i_bytes"`
	L2         int      `json:"l2_bytes"`
	L3         int      `json:"l3_bytes"`
	CacheLine  int      `json:"cache_line_bytes"`
	CacheNotes []string `json:"cache_notes,omitempty"`

	// BLAS is the SGEMM blocking of the active level, derived from the
	// cache sizes (blas.BlockingFor); BLASNotes name the cache levels it
	// took fallback sizes for.
	BLAS      string   `json:"blas_blocking"`
	BLASNotes []string `json:"blas_fallbacks,omitempty"`
	// GEMMKernels names the active level's microkernels (asm.Gemm.String).
	GEMMKernels string `json:"gemm_kernels"`
	// Sparse says how the sparse product (blas.SgemmSparse) runs.
	Sparse string `json:"sparse"`

	Threads    int    `json:"threads"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	NumCPU     int    `json:"num_cpu"`
	GoVersion  string `json:"go_version"`
	GOOS       string `json:"goos"`
	GOARCH     string `json:"goarch"`
}

// Info gathers the MachineInfo of this process.
func Info() MachineInfo {
	c := &cpuid.CPU
	m := MachineInfo{
		ISA:            asm.ISA().String(),
		Why:            asm.Why(),
		CPU:            c.BrandName,
		Vendor:         c.VendorString,
		Family:         c.Family,
		Model:          c.Model,
		Stepping:       c.Stepping,
		PhysicalCores:  c.PhysicalCores,
		LogicalCores:   c.LogicalCores,
		ThreadsPerCore: c.ThreadsPerCore,
		L1D:            c.Cache.L1D,
		L1I:            c.Cache.L1I,
		L2:             c.Cache.L2,
		L3:             c.Cache.L3,
		CacheLine:      c.CacheLine,
		Threads:        nrt.Threads(),
		GOMAXPROCS:     goruntime.GOMAXPROCS(0),
		NumCPU:         goruntime.NumCPU(),
		GoVersion:      goruntime.Version(),
		GOOS:           goruntime.GOOS,
		GOARCH:         goruntime.GOARCH,
	}
	if c.HypervisorVendorString != "" {
		m.Hypervisor = c.HypervisorVendorString
	}
	blk := blas.BlockingFor(asm.ISA())
	m.BLAS, m.BLASNotes = blk.String(), blk.Notes
	g := asm.GemmFor(asm.ISA())
	m.GEMMKernels = g.String()
	m.Sparse = "Go loops (nn's Dense keeps sparse inputs on the dense products)"
	if asm.SparseFast() {
		width, _ := asm.SparseMulWidth()
		m.Sparse = fmt.Sprintf("%s: pairs of rows, panels of %d columns, blocks of %d of depth", asm.ISA(), width, asm.SparseBlock)
	}
	for _, l := range asm.Available() {
		m.Available = append(m.Available, l.String())
	}
	for _, lv := range []struct {
		name string
		size int
	}{{"L1d", m.L1D}, {"L2", m.L2}, {"L3", m.L3}} {
		if lv.size < 0 {
			m.CacheNotes = append(m.CacheNotes, fmt.Sprintf("%s size unknown (cpuid reports -1); blas assumes a fallback size", lv.name))
		}
	}
	return m
}

// FormatBytes writes a cache size as KiB or MiB, or "unknown" for -1.
func FormatBytes(n int) string {
	switch {
	case n < 0:
		return "unknown (-1)"
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}
