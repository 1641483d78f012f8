package main

import (
	"encoding/csv"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestLRFind(t *testing.T) {
	dir := t.TempDir()
	out := mustRun(t, "lrfind", "--data", "embedded", "--threads", "1", "--batch", "64", "--min", "1e-4", "--max", "10", "--out", dir)
	m := regexp.MustCompile(`suggested learning rate: (\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no suggestion in:\n%s", out)
	}
	lr, err := strconv.ParseFloat(m[1], 64)
	if err != nil || !(lr >= 1e-4 && lr <= 10) {
		t.Fatalf("suggested %q outside the range", m[1])
	}
	f, err := os.Open(filepath.Join(dir, "lrfind.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(rows) < 10 || strings.Join(rows[0], ",") != "step,lr,loss,smoothed" {
		t.Fatalf("lrfind.csv: %d rows, %v", len(rows), err)
	}
	// The rate grows exponentially: each row's rate is the previous one
	// times the same factor.
	r1, _ := strconv.ParseFloat(rows[1][1], 64)
	r2, _ := strconv.ParseFloat(rows[2][1], 64)
	r3, _ := strconv.ParseFloat(rows[3][1], 64)
	if r1 != 1e-4 || r2 <= r1 || (r3/r2-r2/r1) > 1e-9*(r2/r1) {
		t.Errorf("rates %v %v %v", r1, r2, r3)
	}
	p, err := os.Open(filepath.Join(dir, "lrfind.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := png.Decode(p); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "lrfind.svg")); err != nil || !strings.Contains(string(b), "<svg") {
		t.Fatalf("lrfind.svg: %v", err)
	}
	// Bad flags exit 2.
	for _, args := range [][]string{{"--min", "1", "--max", "0.1"}, {"--batch", "0"}, {"--optimizer", "adagrad"}} {
		if _, errs, code := runCLI(t, append([]string{"lrfind", "--out", dir}, args...)...); code != 2 {
			t.Errorf("%v: exit %d (%s)", args, code, errs)
		}
	}
}
