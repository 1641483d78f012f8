package asm

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestSelect(t *testing.T) {
	avx2 := Features{Arch: "amd64", AVX2: true, FMA3: true}
	avx512 := avx2
	avx512.AVX512F, avx512.AVX512BW, avx512.AVX512DQ, avx512.AVX512VL = true, true, true, true
	noVL := avx512
	noVL.AVX512VL = false
	noFMA := avx512
	noFMA.FMA3 = false
	neon := Features{Arch: "arm64", ASIMD: true}
	amx := avx512
	amx.AMX = true
	amxNoVL := noVL
	amxNoVL.AMX = true

	// asm is what the level is when assembly is compiled; a purego build
	// selects generic for every CPU.
	pick := func(asm Level) Level {
		if compiledAsm {
			return asm
		}
		return Generic
	}
	for _, c := range []struct {
		name string
		f    Features
		cap  string
		want Level
		err  bool
	}{
		{"amd64 without AVX2", Features{Arch: "amd64"}, "", Generic, false},
		{"AVX2 without FMA", Features{Arch: "amd64", AVX2: true}, "", Generic, false},
		{"AVX-512 without FMA", noFMA, "", Generic, false},
		{"AVX2+FMA", avx2, "", pick(AVX2), false},
		{"AVX-512 F BW DQ VL", avx512, "", pick(AVX512), false},
		{"AVX-512 without VL", noVL, "", pick(AVX2), false},
		{"arm64", neon, "", pick(NEON), false},
		{"riscv64", Features{Arch: "riscv64"}, "", Generic, false},
		{"cap generic", avx512, "generic", Generic, false},
		{"cap avx2", avx512, "avx2", pick(AVX2), !compiledAsm},
		{"cap avx512", avx512, "avx512", pick(AVX512), !compiledAsm},
		{"cap neon on arm64", neon, "neon", pick(NEON), !compiledAsm},
		{"AMX is not the default", amx, "", pick(AVX512), false},
		{"cap amx", amx, "amx", pick(AMX), !compiledAsm},
		{"cap avx512 with AMX", amx, "avx512", pick(AVX512), !compiledAsm},
		{"cap amx without AMX", avx512, "amx", Generic, true},
		{"cap amx without AVX-512 VL", amxNoVL, "amx", Generic, true},
		{"cap avx512 on AVX2", avx2, "avx512", Generic, true},
		{"cap neon on amd64", avx512, "neon", Generic, true},
		{"cap avx2 on arm64", neon, "avx2", Generic, true},
		{"unknown cap", avx512, "sse9", Generic, true},
		{"cap is case-sensitive", avx512, "AVX2", Generic, true},
	} {
		got, err := Select(c.f, c.cap)
		if (err != nil) != c.err {
			t.Errorf("%s: Select error %v, want error %v", c.name, err, c.err)
			continue
		}
		if err == nil && got != c.want {
			t.Errorf("%s: Select = %v, want %v", c.name, got, c.want)
		}
		if err != nil && !strings.Contains(err.Error(), "NNRT_ISA") {
			t.Errorf("%s: error %q does not name NNRT_ISA", c.name, err)
		}
	}
}

// TestDispatchTables checks that every available level other than generic
// has its own vec and optim tables, with every entry set, and that the
// exported functions use the active level's.
func TestDispatchTables(t *testing.T) {
	for _, l := range Available() {
		v, o := vecFor(l), optimFor(l)
		if l != Generic && (v == &vecGeneric || o == &optimGeneric) {
			t.Errorf("%v: falls back to the generic table", l)
		}
		if v.axpy == nil || v.scale == nil || v.scaleTo == nil || v.dot == nil || v.sum == nil ||
			v.add == nil || v.mul == nil || v.addBias == nil || v.colSums == nil ||
			v.gemvN == nil || v.gemvT == nil || v.ger == nil {
			t.Errorf("%v: vec table has a nil entry", l)
		}
		if o.sgdMomentum == nil || o.sgdNesterov == nil || o.adam == nil || o.nadam == nil || o.rmsprop == nil {
			t.Errorf("%v: optim table has a nil entry", l)
		}
		b := bnormFor(l)
		if l != Generic && b == &bnormGeneric {
			t.Errorf("%v: batch-norm kernels fall back to the generic table", l)
		}
		if b.colSumsSqDev == nil || b.colSumsDots == nil || b.normalize == nil || b.normalizeGrad == nil {
			t.Errorf("%v: bnorm table has a nil entry", l)
		}
	}
	if vec != vecFor(ISA()) || optim != optimFor(ISA()) || bnorm != bnormFor(ISA()) {
		t.Errorf("active tables are not those of ISA() = %v", ISA())
	}
}

// TestNNRTISA runs this test binary again with NNRT_ISA set: a valid cap
// selects that level, an unknown or unsupported one stops the program at
// start-up with a message that names it.
func TestNNRTISA(t *testing.T) {
	if os.Getenv("NNRT_ISA_CHILD") != "" {
		os.Stdout.WriteString("ISA=" + ISA().String() + "\n")
		return
	}
	run := func(cap string) (string, error) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestNNRTISA$")
		cmd.Env = append(os.Environ(), "NNRT_ISA_CHILD=1", "NNRT_ISA="+cap)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if _, err := run("generic"); err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Skipf("cannot run the test binary again (%v), e.g. under qemu without binfmt", err)
		}
	}
	for _, l := range Available() {
		out, err := run(l.String())
		if err != nil || !strings.Contains(out, "ISA="+l.String()+"\n") {
			t.Errorf("NNRT_ISA=%v: %v\n%s", l, err, out)
		}
	}
	unsupported := "neon"
	if features.Arch == "arm64" {
		unsupported = "avx2"
	}
	for _, bad := range []string{"bogus", unsupported} {
		out, err := run(bad)
		if err == nil || !strings.Contains(out, "NNRT_ISA") {
			t.Errorf("NNRT_ISA=%s: want a start-up failure naming NNRT_ISA, got %v\n%s", bad, err, out)
		}
	}
}

// TestOnRequest: a level offered on request is one this process does not
// have, and only amx is ever offered so.
func TestOnRequest(t *testing.T) {
	for _, l := range OnRequest() {
		if l != AMX {
			t.Errorf("OnRequest offers %v", l)
		}
		if available(l) {
			t.Errorf("%v is both available and on request", l)
		}
	}
	if os.Getenv("NNRT_ISA") == "amx" && len(OnRequest()) != 0 {
		t.Errorf("OnRequest = %v with NNRT_ISA=amx", OnRequest())
	}
}

// TestOffersBytes: the byte products run on the amx level and on the
// default avx512 level of an amd64 CPU with AMX-INT8, never on a level
// that NNRT_ISA names otherwise, nor without the tiles' INT8.
func TestOffersBytes(t *testing.T) {
	base := Features{Arch: "amd64", AVX2: true, FMA3: true, AVX512F: true, AVX512BW: true, AVX512DQ: true, AVX512VL: true}
	tiles := base
	tiles.TileInt8 = true
	for _, c := range []struct {
		name  string
		f     Features
		level Level
		cap   string
		want  bool
	}{
		{"default level with AMX-INT8", tiles, AVX512, "", true},
		{"NNRT_ISA=avx512", tiles, AVX512, "avx512", false},
		{"NNRT_ISA=amx", tiles, AMX, "amx", true},
		{"NNRT_ISA=avx2", tiles, AVX2, "avx2", false},
		{"no AMX-INT8", base, AVX512, "", false},
		{"generic", tiles, Generic, "", false},
		{"arm64", Features{Arch: "arm64", ASIMD: true, TileInt8: true}, NEON, "", false},
	} {
		want := c.want && compiledAsm // a purego build has no tiles
		if got := OffersBytes(c.f, c.level, c.cap); got != want {
			t.Errorf("%s: OffersBytes = %v, want %v", c.name, got, want)
		}
	}
}
