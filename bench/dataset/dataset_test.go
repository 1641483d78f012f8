package dataset

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func checkSplit(t *testing.T, name string, s Split, n int) {
	t.Helper()
	if s.N != n || s.Features != 784 || len(s.X) != n*784 || len(s.Y) != n {
		t.Fatalf("%s: N=%d Features=%d len(X)=%d len(Y)=%d, want N=%d", name, s.N, s.Features, len(s.X), len(s.Y), n)
	}
	var counts [Classes]int
	for _, y := range s.Y {
		counts[y]++
	}
	for c, k := range counts {
		if k == 0 {
			t.Errorf("%s: class %d absent", name, c)
		}
	}
	for _, x := range s.X {
		if !(x >= 0 && x <= 1) {
			t.Fatalf("%s: pixel %v outside [0,1]", name, x)
		}
	}
}

func TestEmbedded(t *testing.T) {
	d, err := LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	if !d.Embedded || d.Dir != "" || d.Kind != FashionMNIST || d.Rows != 28 || d.Cols != 28 {
		t.Fatalf("%+v", d)
	}
	checkSplit(t, "train", d.Train, 5000)
	checkSplit(t, "val", d.Val, 1000)
	checkSplit(t, "test", d.Test, 1000)
	if h := d.Train.Head(10); h.N != 10 || len(h.X) != 7840 || len(h.Y) != 10 || h.Y[9] != d.Train.Y[9] {
		t.Errorf("Head(10): %d %d %d", h.N, len(h.X), len(h.Y))
	}
	if h := d.Train.Head(0); h.N != d.Train.N {
		t.Errorf("Head(0) = %d examples", h.N)
	}
	// Pixels are byte/255 rounded once: 255 maps to exactly 1, and every
	// value times 255 is an integer.
	for _, x := range d.Train.X[:784*10] {
		if p := float64(x) * 255; p-float64(int(p+0.5)) > 1e-4 || p-float64(int(p+0.5)) < -1e-4 {
			t.Fatalf("pixel %v is not k/255", x)
		}
	}
}

// TestRealMatchesEmbedded reads the real files when the machine has them
// and checks the book's split and that the subset is their prefix.
func TestRealMatchesEmbedded(t *testing.T) {
	dir, err := Locate(FashionMNIST, "")
	if err != nil {
		t.Skip("no Fashion-MNIST on this machine:", err)
	}
	d, err := Load(Options{NoEmbedded: true})
	if err != nil {
		t.Fatal(err)
	}
	if d.Embedded || d.Dir != dir {
		t.Fatalf("Embedded=%v Dir=%q, want %q", d.Embedded, d.Dir, dir)
	}
	checkSplit(t, "train", d.Train, 55000)
	checkSplit(t, "val", d.Val, 5000)
	checkSplit(t, "test", d.Test, 10000)
	e, err := LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	for i := range e.Train.X {
		if e.Train.X[i] != d.Train.X[i] {
			t.Fatalf("embedded train pixel %d differs", i)
		}
	}
	// The subset's validation images are real training images 5000..5999.
	for i := range e.Val.Y {
		if e.Val.Y[i] != d.Train.Y[5000+i] {
			t.Fatalf("embedded val label %d differs", i)
		}
	}
	for i := range e.Test.Y {
		if e.Test.Y[i] != d.Test.Y[i] {
			t.Fatalf("embedded test label %d differs", i)
		}
	}
}

// writeSet writes a synthetic dataset of ntrain/ntest 2x2 images into dir.
func writeSet(t *testing.T, dir string, ntrain, ntest int, badLabel bool) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		prefix string
		n      int
	}{{"train", ntrain}, {"t10k", ntest}} {
		pix := make([]byte, p.n*4)
		lab := make([]byte, p.n)
		for i := range pix {
			pix[i] = byte(i)
		}
		for i := range lab {
			lab[i] = byte(i % Classes)
		}
		if badLabel {
			lab[p.n-1] = Classes
		}
		must := func(name string, a *IDX, gz bool) {
			if err := os.WriteFile(filepath.Join(dir, name), encode(t, a, gz), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		must(p.prefix+"-images-idx3-ubyte.gz", &IDX{Dims: []int{p.n, 2, 2}, Data: pix}, true)
		must(p.prefix+"-labels-idx1-ubyte", &IDX{Dims: []int{p.n}, Data: lab}, false) // plain file, no .gz
	}
}

func TestDiscovery(t *testing.T) {
	root := t.TempDir()
	writeSet(t, filepath.Join(root, "fashion-mnist"), BookValidation+3, 2, false)
	t.Setenv("NNRT_DATA", root)
	d, err := Load(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Embedded || d.Dir != filepath.Join(root, "fashion-mnist") || d.Train.N != 3 || d.Val.N != BookValidation || d.Test.N != 2 || d.Train.Features != 4 {
		t.Fatalf("NNRT_DATA subfolder: %+v", d.Source())
	}
	// The split keeps file order: training example 1 has label 1, the
	// first validation example is file example 3.
	if d.Train.Y[1] != 1 || d.Val.Y[0] != 3 || d.Train.X[4] != float32(4.0/255) {
		t.Fatalf("split order: %v %v %v", d.Train.Y, d.Val.Y[:2], d.Train.X[:5])
	}
	// An explicit Dir is the only place searched, directly or KIND below it.
	if d, err := Load(Options{Dir: root}); err != nil || d.Embedded {
		t.Fatalf("Dir with kind subfolder: %v", err)
	}
	empty := t.TempDir()
	if _, err := Load(Options{Dir: empty}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("empty Dir: %v, want ErrNotFound", err)
	}
	if _, err := Load(Options{Dir: empty, Kind: MNIST}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("empty Dir MNIST: %v", err)
	}
	// MNIST looks for its own folder name.
	writeSet(t, filepath.Join(root, "mnist"), BookValidation+1, 1, false)
	if d, err := Load(Options{Kind: MNIST}); err != nil || d.Kind != MNIST || d.Train.N != 1 {
		t.Fatalf("MNIST: %v", err)
	}
}

func TestBadFiles(t *testing.T) {
	root := t.TempDir()
	bad := filepath.Join(root, "badlabel")
	writeSet(t, bad, BookValidation+1, 1, true)
	if _, err := LoadDir(FashionMNIST, bad); err == nil {
		t.Fatal("label 10 accepted")
	}
	small := filepath.Join(root, "small")
	writeSet(t, small, BookValidation, 1, false)
	if _, err := LoadDir(FashionMNIST, small); err == nil {
		t.Fatal("training file no larger than the validation split accepted")
	}
	// Corrupt files found by the search are an error, not a silent fallback
	// to the embedded subset.
	corrupt := filepath.Join(root, "corrupt", "fashion-mnist")
	writeSet(t, corrupt, BookValidation+1, 1, false)
	if err := os.WriteFile(filepath.Join(corrupt, "train-images-idx3-ubyte.gz"), []byte{0x1f, 0x8b, 1, 2}, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("NNRT_DATA", filepath.Join(root, "corrupt"))
	if _, err := Load(Options{}); !errors.Is(err, ErrFormat) {
		t.Fatalf("corrupt file: %v, want ErrFormat", err)
	}
	// Mismatched counts.
	mis := filepath.Join(root, "mismatch")
	writeSet(t, mis, BookValidation+2, 1, false)
	if err := os.WriteFile(filepath.Join(mis, "train-labels-idx1-ubyte"), encode(t, &IDX{Dims: []int{3}, Data: []byte{1, 2, 3}}, false), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadDir(FashionMNIST, mis); err == nil {
		t.Fatal("3 labels for 5002 images accepted")
	}
}

func TestFallback(t *testing.T) {
	t.Setenv("NNRT_DATA", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	defer func(d string) { debianDir = d }(debianDir)
	debianDir = t.TempDir()
	d, err := Load(Options{})
	if err != nil || !d.Embedded {
		t.Fatalf("fallback: %v", err)
	}
	if _, err := Load(Options{NoEmbedded: true}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("NoEmbedded: %v", err)
	}
}

func TestLoadEmbeddedDirSkipsTheSearch(t *testing.T) {
	t.Setenv("NNRT_DATA", t.TempDir()) // would be searched first, and is empty
	d, err := Load(Options{Dir: EmbeddedDir})
	if err != nil {
		t.Fatal(err)
	}
	if !d.Embedded || d.Train.N == 0 {
		t.Fatalf("Load(Dir: %q): Embedded=%v, %d training images", EmbeddedDir, d.Embedded, d.Train.N)
	}
}
