package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/nnrt/nnrt/asm"
	"github.com/nnrt/nnrt/bench/kernels"
	nrt "github.com/nnrt/nnrt/runtime"
)

// quick keeps the measurements of these tests short: they check the
// command, not the machine.
var quick = []string{"--count", "2", "--time", "1ms"}

func runKernelsCmd(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"kernels"}, args...), &out, &errb)
	return out.String(), errb.String(), code
}

func TestKernelsList(t *testing.T) {
	out, errs, code := runKernelsCmd(t, "--list")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, o := range kernels.Ops() {
		if !strings.Contains(out, o.Name) {
			t.Errorf("--list lacks %s", o.Name)
		}
	}
}

func TestKernelsJSON(t *testing.T) {
	out, errs, code := runKernelsCmd(t, append([]string{"--op", "axpy,copy,colsums", "--format", "json"}, quick...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var got []kernels.Result
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var r kernels.Result
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("%v in %s", err, out)
		}
		got = append(got, r)
	}
	if len(got) != 3 {
		t.Fatalf("%d results, want 3:\n%s", len(got), out)
	}
	for i, name := range []string{"axpy", "copy", "colsums"} {
		r := got[i]
		if r.Op != name || r.ISA != asm.ISA().String() || r.Threads != 1 || r.Unit != kernels.GBps ||
			!(r.Median > 0) || len(r.Samples) != 2 {
			t.Errorf("result %d = %+v", i, r)
		}
	}
	if got[2].Shape != "256x1024" {
		t.Errorf("colsums default shape %q", got[2].Shape)
	}
}

// The lines must be what `go test -bench` prints, which benchstat reads:
// name-procs, iterations, ns/op, then the rate in a unit of its own.
var gobenchLine = regexp.MustCompile(`^Benchmark[A-Z][a-z]*(/[^\s/]+)+-[0-9]+\t[0-9]+\t[0-9.]+ ns/op\t[0-9.]+ (MB/s|GFLOPS)$`)

func TestKernelsGobench(t *testing.T) {
	out, errs, code := runKernelsCmd(t, append([]string{"--op", "axpy,scale", "--shape", "1000", "--threads", "2", "--format", "gobench"}, quick...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var bench []string
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "Benchmark"):
			if !gobenchLine.MatchString(line) {
				t.Errorf("not a benchmark line: %q", line)
			}
			bench = append(bench, line)
		case regexp.MustCompile(`^(goos|goarch|pkg|cpu): `).MatchString(line):
		default:
			t.Errorf("unexpected line %q", line)
		}
	}
	if len(bench) != 4 {
		t.Fatalf("%d benchmark lines, want 2 ops x 2 samples:\n%s", len(bench), out)
	}
	want := "BenchmarkAxpy/" + asm.ISA().String() + "/n=1000/threads=2-"
	if !strings.HasPrefix(bench[0], want) {
		t.Errorf("first line %q, want prefix %q", bench[0], want)
	}
}

func TestKernelsTable(t *testing.T) {
	out, errs, code := runKernelsCmd(t, append([]string{"--op", "sum"}, quick...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "median") || !strings.Contains(lines[1], "sum") ||
		!strings.Contains(lines[1], "GB/s") || !strings.Contains(lines[1], asm.ISA().String()) {
		t.Errorf("table:\n%s", out)
	}
}

func TestKernelsBadArgs(t *testing.T) {
	other := "neon"
	if slices.Contains(asm.Available(), asm.NEON) {
		other = "avx2"
	}
	for _, args := range [][]string{
		{"--op", "nope"},
		{"--op", "axpy", "--format", "xml"},
		{"--op", "axpy", "--shape", "3x3"},
		{"--op", "axpy", "--shape", "0"},
		{"--op", "axpy", "--trans", "NT"},
		{"--op", "axpy", "--trans", "XY"},
		{"--op", "dot", "--threads", "2"},
		{"--op", "axpy", "--threads", "-1"},
		{"--op", "axpy", "--count", "0"},
		{"--op", "axpy", "--isa", "sse9"},
		{"--op", "axpy", "--isa", other},
		{"--op", "axpy", "extra"},
		{"--op", "axpy", "--clock", "sundial"},
	} {
		if _, errs, code := runKernelsCmd(t, args...); code != 2 {
			t.Errorf("%q: exit %d, want 2 (%s)", args, code, errs)
		}
	}
}

func TestChildArgs(t *testing.T) {
	got := childArgs(asm.Generic, []string{"--op", "axpy", "--isa", "all", "-isa=avx2", "--format=json"})
	want := []string{"kernels", "--op", "axpy", "--format=json", "--isa=generic", "--gobench-header=false"}
	if !slices.Equal(got, want) {
		t.Errorf("childArgs = %q, want %q", got, want)
	}
}

// TestKernelsOtherISA builds nnbench and measures every level this machine
// has: levels other than the active one run in a child process with
// NNRT_ISA set, and each result must say the level it ran on.
func TestKernelsOtherISA(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	exe := filepath.Join(t.TempDir(), "nnbench")
	// Build the command with this test binary's tags (purego among them),
	// so that it has the same levels as asm.Available() here.
	args := []string{"build", "-o", exe}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "-tags" && s.Value != "" {
				args = append(args, "-tags", s.Value)
			}
		}
	}
	if out, err := exec.Command("go", append(args, ".")...).CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(exe, append([]string{"kernels", "--op", "scale", "--isa", "all", "--format", "json"}, quick...)...).Output()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var isas []string
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var r kernels.Result
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("%v in %s", err, out)
		}
		isas = append(isas, r.ISA)
	}
	var want []string
	for _, l := range append(asm.Available(), asm.OnRequest()...) {
		want = append(want, l.String())
	}
	if !slices.Equal(isas, want) {
		t.Errorf("levels measured %q, want %q", isas, want)
	}
}

func TestKernelsSgemm(t *testing.T) {
	for _, tr := range []string{"NN", "NT", "TN", "TT"} {
		out, errs, code := runKernelsCmd(t, append([]string{"--shape", "20x30x40", "--trans", tr, "--format", "json"}, quick...)...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", tr, code, errs)
		}
		var r kernels.Result
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("%v in %s", err, out)
		}
		if r.Op != "sgemm" || r.Trans != tr || r.Shape != "20x30x40" || r.Unit != kernels.GFLOPS ||
			r.Threads != nrt.Threads() || !(r.Median > 0) {
			t.Errorf("%s: result %+v", tr, r)
		}
	}
	if _, errs, code := runKernelsCmd(t, "--shape", "20x30"); code != 2 {
		t.Errorf("sgemm with a 2-D shape: exit %d, want 2 (%s)", code, errs)
	}
}

func TestKernelsCPUClock(t *testing.T) {
	if _, ok := kernels.ProcessCPU(); !ok {
		t.Skip("no process CPU clock here")
	}
	out, errs, code := runKernelsCmd(t, append([]string{"--op", "scale", "--clock", "cpu", "--format", "gobench", "--gobench-header=false"}, quick...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if !gobenchLine.MatchString(line) || !strings.Contains(line, "/threads=1/clock=cpu-") {
			t.Errorf("line %q", line)
		}
	}
}
