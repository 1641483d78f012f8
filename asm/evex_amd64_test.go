//go:build !purego

package asm

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestAVX2KernelsHaveNoEVEX: the avx2 level's kernels must run on CPUs
// without AVX-512, but their tests run here on one that has it, where an
// AVX-512 instruction slipped into them (an EVEX-encoded form of an AVX2
// mnemonic, a Z or K register, a broadcast from a general register) would
// pass. So each amd64 assembly file is assembled again with `go tool asm
// -S`, and every instruction of a function whose name does not say AVX512
// or AMX must not begin with EVEX's 0x62 (BOUND, invalid in 64-bit mode,
// so any instruction that starts with it is EVEX). The AVX-512 functions
// must show some, or the listing was not read right.
func TestAVX2KernelsHaveNoEVEX(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to assemble with")
	}
	out, err := exec.Command(goTool, "env", "GOROOT").Output()
	if err != nil {
		t.Skipf("go env GOROOT: %v", err)
	}
	include := filepath.Join(strings.TrimSpace(string(out)), "pkg", "include")
	files, err := filepath.Glob("*_amd64.s")
	if err != nil || len(files) == 0 {
		t.Fatalf("no amd64 assembly found (%v)", err)
	}
	checked, evexSeen := 0, 0
	for _, f := range files {
		obj := filepath.Join(t.TempDir(), "x.o")
		cmd := exec.Command(goTool, "tool", "asm", "-S", "-I", include, "-p", "github.com/nnrt/nnrt/asm",
			"-D", "GOOS_linux", "-D", "GOARCH_amd64", "-o", obj, f)
		cmd.Env = append(os.Environ(), "GOARCH=amd64", "GOOS=linux")
		listing, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go tool asm -S %s: %v\n%s", f, err, listing)
		}
		for _, fn := range evexListing(t, listing) {
			name := fn.name[strings.LastIndex(fn.name, ".")+1:]
			if strings.Contains(name, "AVX512") || strings.Contains(strings.ToUpper(name), "AMX") {
				evexSeen += len(fn.evex)
				continue
			}
			checked++
			for _, in := range fn.evex {
				t.Errorf("%s: %s: an EVEX (AVX-512) instruction in a function other levels run: %s", f, name, in)
			}
		}
	}
	if checked == 0 || evexSeen == 0 {
		t.Fatalf("%d functions checked, %d EVEX instructions in the AVX-512 ones: the listing was not read", checked, evexSeen)
	}
}

// asmFunc is one function of a `go tool asm -S` listing: its name and its
// instructions that begin with 0x62.
type asmFunc struct {
	name string
	evex []string
}

var (
	listingFunc = regexp.MustCompile(`^(\S+) STEXT`)
	listingInst = regexp.MustCompile(`^\t0x([0-9a-f]{4}) \d{5} \(\S+\)\t(.*)$`)
	listingHex  = regexp.MustCompile(`^\t0x([0-9a-f]{4}) ((?:[0-9a-f]{2} )*[0-9a-f]{2})`)
)

// evexListing reads a listing: each function's instructions (offset and
// text) and then its code as hex lines, 16 bytes a line.
func evexListing(t *testing.T, listing []byte) []asmFunc {
	var funcs []asmFunc
	type inst struct {
		pc   int
		text string
	}
	var insts []inst
	code := map[int]byte{}
	flush := func() {
		if len(funcs) == 0 {
			return
		}
		fn := &funcs[len(funcs)-1]
		for _, in := range insts {
			if b, ok := code[in.pc]; ok && b == 0x62 {
				fn.evex = append(fn.evex, in.text)
			}
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(listing))
	for sc.Scan() {
		line := sc.Text()
		if m := listingFunc.FindStringSubmatch(line); m != nil {
			flush()
			funcs = append(funcs, asmFunc{name: m[1]})
			insts, code = insts[:0], map[int]byte{}
			continue
		}
		if m := listingInst.FindStringSubmatch(line); m != nil {
			pc, _ := strconv.ParseInt(m[1], 16, 32)
			insts = append(insts, inst{int(pc), strings.TrimSpace(m[2])})
			continue
		}
		if m := listingHex.FindStringSubmatch(line); m != nil {
			base, _ := strconv.ParseInt(m[1], 16, 32)
			for i, h := range strings.Fields(m[2]) {
				v, err := strconv.ParseUint(h, 16, 8)
				if err != nil {
					t.Fatalf("listing line %q: %v", line, err)
				}
				code[int(base)+i] = byte(v)
			}
		}
	}
	flush()
	return funcs
}
