package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/nnrt/nnrt/asm"
	"github.com/nnrt/nnrt/bench/kernels"
	nrt "github.com/nnrt/nnrt/runtime"
)

func TestInfoTable(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"info"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	s := out.String()
	for _, want := range []string{"isa", asm.ISA().String(), "why", "cpu", "cache", "L1d", "L2", "L3", "threads", "go1."} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
}

func TestInfoJSON(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"info", "--format", "json"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var m kernels.MachineInfo
	if err := json.Unmarshal(out.Bytes(), &m); err != nil {
		t.Fatalf("%v in %s", err, out.String())
	}
	if m.ISA != asm.ISA().String() || m.Threads != nrt.Threads() || !strings.HasPrefix(m.GoVersion, "go") ||
		m.Why != asm.Why() || len(m.Available) != len(asm.Available()) {
		t.Errorf("info = %+v", m)
	}
	// A cache level cpuid cannot size must be said so, not shown as -1 B.
	for _, lv := range []struct {
		name string
		size int
	}{{"L1d", m.L1D}, {"L2", m.L2}, {"L3", m.L3}} {
		noted := strings.Contains(strings.Join(m.CacheNotes, ";"), lv.name+" size unknown")
		if (lv.size < 0) != noted {
			t.Errorf("%s = %d but notes %q", lv.name, lv.size, m.CacheNotes)
		}
	}
}

func TestInfoBadArgs(t *testing.T) {
	for _, args := range [][]string{{"info", "--format", "xml"}, {"info", "extra"}, {"info", "--nope"}} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != 2 {
			t.Errorf("%q: exit %d, want 2 (%s)", args, code, errb.String())
		}
	}
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int]string{-1: "unknown (-1)", 49152: "48 KiB", 2 << 20: "2 MiB", 1000: "1000 B"} {
		if got := kernels.FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}
