package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/nnrt/nnrt/bench/kernels"
)

func init() {
	register(command{name: "info", summary: "print the ISA level in use and why, the CPU, its caches, threads and Go version", run: runInfo})
}

func runInfo(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("info", stderr)
	format := fs.String("format", "table", "output: table or json")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	m := kernels.Info()
	switch *format {
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(m)
	case "table":
	default:
		return usagef("--format %q: want table or json", *format)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	row := func(k, format string, a ...any) { fmt.Fprintf(tw, "%s\t"+format+"\n", append([]any{k}, a...)...) }
	row("isa", "%s", m.ISA)
	row("why", "%s", m.Why)
	row("available", "%s", strings.Join(m.Available, ", "))
	cpu := m.CPU
	if m.Hypervisor != "" {
		cpu += " (under " + m.Hypervisor + ")"
	}
	row("cpu", "%s", cpu)
	row("", "%s family %d model %d stepping %d; %d physical cores, %d logical",
		m.Vendor, m.Family, m.Model, m.Stepping, m.PhysicalCores, m.LogicalCores)
	row("cache", "L1d %s, L1i %s, L2 %s, L3 %s, line %d B",
		kernels.FormatBytes(m.L1D), kernels.FormatBytes(m.L1I), kernels.FormatBytes(m.L2), kernels.FormatBytes(m.L3), m.CacheLine)
	for _, n := range m.CacheNotes {
		row("", "%s", n)
	}
	row("sgemm", "%s", m.BLAS)
	row("", "kernels %s", m.GEMMKernels)
	row("sparse", "%s", m.Sparse)
	row("threads", "%d (runtime.Threads; GOMAXPROCS %d, NumCPU %d)", m.Threads, m.GOMAXPROCS, m.NumCPU)
	row("go", "%s %s/%s", m.GoVersion, m.GOOS, m.GOARCH)
	return tw.Flush()
}
