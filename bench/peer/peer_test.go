package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/nnrt/nnrt/bench/dataset"

	gblas "gonum.org/v1/gonum/blas"
)

// TestLibrariesAgree runs nnrt, OpenBLAS (through the cgo binding) and
// gonum on the same operands, every transpose, with alpha and beta not 0 or
// 1 and leading dimensions wider than the matrices, and requires the same
// C: it checks the binding's row-major argument mapping and that the
// benchmark compares like with like.
func TestLibrariesAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	libs := libraries()
	for _, sh := range [][3]int{{1, 1, 1}, {7, 5, 3}, {33, 17, 65}, {32, 10, 100}} {
		m, n, k := sh[0], sh[1], sh[2]
		for _, tA := range []gblas.Transpose{gblas.NoTrans, gblas.Trans} {
			for _, tB := range []gblas.Transpose{gblas.NoTrans, gblas.Trans} {
				ar, ac := m, k
				if tA == gblas.Trans {
					ar, ac = k, m
				}
				br, bc := k, n
				if tB == gblas.Trans {
					br, bc = n, k
				}
				lda, ldb, ldc := ac+3, bc+1, n+2
				a, b := randSlice(ar*lda, rng), randSlice(br*ldb, rng)
				c0 := randSlice(m*ldc, rng)
				var cs [][]float32
				for _, l := range libs {
					c := append([]float32(nil), c0...)
					l.sgemm(2, tA, tB, m, n, k, 0.5, a, lda, b, ldb, 0.25, c, ldc)
					cs = append(cs, c)
				}
				for i := range libs[:len(libs)-1] {
					if d := maxRelDiff(cs[i], cs[len(cs)-1], k); d > 1e-5 {
						t.Errorf("%dx%dx%d %s%s: %s differs from gonum by %g x (k+1)",
							m, n, k, transName(tA), transName(tB), libs[i].name, d)
					}
				}
			}
		}
	}
}

func TestBookProducts(t *testing.T) {
	ps := bookProducts(32)
	if len(ps) != 9 {
		t.Fatalf("%d products, want 9", len(ps))
	}
	want := []string{"NN 32 300 784", "TN 784 300 32", "NT 32 784 300",
		"NN 32 100 300", "TN 300 100 32", "NT 32 300 100",
		"NN 32 10 100", "TN 100 10 32", "NT 32 100 10"}
	for i, p := range ps {
		got := fmt.Sprintf("%s %d %d %d", p.trans(), p.m, p.n, p.k)
		if got != want[i] {
			t.Errorf("product %d (%s) = %s, want %s", i, p.name, got, want[i])
		}
	}
}

func TestSgemmRun(t *testing.T) {
	var out, errb bytes.Buffer
	err := runSgemm([]string{"-coretype", "keep", "-squares", "16", "-batches", "4", "-threads", "1",
		"-count", "1", "-mintime", "1ms"}, &out, &errb)
	if err != nil {
		t.Fatalf("%v: %s", err, errb.String())
	}
	s := out.String()
	for _, want := range []string{"OpenBLAS: core", "square 16", "b4 L3 dX=dY.W^T", "geometric mean of the 9 products", "summary"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
}

// TestEpoch times a short epoch in nnrt on the embedded subset and checks
// that it trained; with Debian's PyTorch and the real data present it also
// runs the whole comparison on a small slice of the training split.
func TestEpoch(t *testing.T) {
	d, err := dataset.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	for _, rate := range []float64{0, 0.2} {
		r, err := nnrtEpochs(d, epochConfig{Batch: 64, Dropout: rate, Threads: 1}, 2, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.EpochsS) != 2 || !(r.MedianS > 0) || r.Train != d.Train.N {
			t.Errorf("dropout %g: result %+v", rate, r)
		}
		// Two epochs on 5,000 images reach well above chance (0.1).
		if r.ValAccuracy < 0.5 {
			t.Errorf("dropout %g: validation accuracy %.3f after two epochs", rate, r.ValAccuracy)
		}
	}
	if testing.Short() || !pythonHasTorch("/usr/bin/python3") {
		t.Skip("no python3-torch (or -short): PyTorch side not run")
	}
	if _, err := dataset.Locate(dataset.FashionMNIST, ""); err != nil {
		t.Skip("no real Fashion-MNIST: PyTorch side not run")
	}
	var out, errb bytes.Buffer
	err = runEpoch([]string{"-batches", "256", "-dropouts", "0.2", "-threads", "1", "-epochs", "1", "-rounds", "2",
		"-train", "2560", "-coretype", ""}, &out, &errb)
	if err != nil {
		t.Fatalf("%v: %s", err, errb.String())
	}
	// two rounds, and a median with its range over them
	for _, want := range []string{"round 2 of 2", "nnrt/PyTorch", "(wall); one thread, CPU seconds: "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in the output:\n%s", want, out.String())
		}
	}
	if strings.Count(out.String(), "[") < 2 {
		t.Errorf("no ranges over the rounds in the output:\n%s", out.String())
	}
}

// pythonHasTorch reports whether python imports torch.
func pythonHasTorch(python string) bool {
	if _, err := os.Stat(python); err != nil {
		return false
	}
	return exec.Command(python, "-c", "import torch").Run() == nil
}

// TestPairRatios checks the paired ratio's median and quartiles against
// values worked by hand, and that it pairs samples by round: nnrt at twice
// OpenBLAS's speed in four rounds of five, across a drift that halves both
// (the third round's OpenBLAS sample already slow, nnrt's not yet), is 2
// (the ratio of the medians, 200/50, is 4).
func TestPairRatios(t *testing.T) {
	for _, c := range []struct {
		a, b        []float64
		med, q1, q3 float64
	}{
		{[]float64{2, 3, 4, 6}, []float64{1, 1, 2, 2}, 2.5, 2, 3},         // ratios 2 3 2 3
		{[]float64{1, 4, 9, 8, 5}, []float64{1, 2, 3, 2, 1}, 3, 1.5, 4.5}, // ratios 1 2 3 4 5
		{[]float64{200, 200, 100}, []float64{100, 100, 50}, 2, 2, 2},      // one round short of quartiles
		{[]float64{7}, []float64{2}, 3.5, 3.5, 3.5},
		{[]float64{100, 200}, []float64{200, 100}, 1.25, 1.25, 1.25},                   // by round, not by rank: 0.5 and 2                                    // one round
		{[]float64{200, 200, 200, 100, 100}, []float64{100, 100, 50, 50, 50}, 2, 2, 3}, // ratios 2 2 4 2 2
		{[]float64{100, 100, 50, 50, 50}, []float64{50, 50, 25, 25, 100}, 2, 1.25, 2},  // ratios 2 2 2 2 0.5
	} {
		p := pairRatios(c.a, c.b)
		if p.Median != c.med || p.Q1 != c.q1 || p.Q3 != c.q3 {
			t.Errorf("pairRatios(%v, %v) = %+v, want median %g, quartiles %g and %g", c.a, c.b, p, c.med, c.q1, c.q3)
		}
	}
	if p := pairRatios(nil, nil); p.Median == p.Median {
		t.Errorf("pairRatios of no rounds = %+v, want NaN", p)
	}
}
