// Package dataset reads Fashion-MNIST and MNIST from their IDX gz files,
// finds them on the machine, splits them as Géron's chapter 11 does, and
// falls back to a small subset of Fashion-MNIST embedded in the package so
// that a program works on a bare machine (and says that it did).
//
// It imports nothing of nnrt: the nn package, nnbench and user programs all
// read data through it.
//
//	d, err := dataset.Load(dataset.Options{})        // search, else embedded
//	if d.Embedded { fmt.Println("running on the embedded subset") }
//	x, y := d.Train.X, d.Train.Y                     // 55,000 x 784 float32, labels
package dataset

//go:generate go run ./internal/mksubset -src /usr/share/datasets/fashion-mnist -dst subset

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/nnrt/nnrt/asm"
	"github.com/nnrt/nnrt/runtime"
)

// Kind names a dataset; its value is also the folder name searched for.
type Kind string

const (
	FashionMNIST Kind = "fashion-mnist"
	MNIST        Kind = "mnist"
)

// Classes is the number of classes of both datasets.
const Classes = 10

// FashionClasses are Fashion-MNIST's class names by label.
var FashionClasses = [Classes]string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
	"Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}

// File names as distributed (the .gz suffix is optional on disk; the
// reader sniffs the gzip magic).
const (
	trainImagesFile = "train-images-idx3-ubyte"
	trainLabelsFile = "train-labels-idx1-ubyte"
	testImagesFile  = "t10k-images-idx3-ubyte"
	testLabelsFile  = "t10k-labels-idx1-ubyte"
)

// BookValidation is the size of the validation split the book takes from
// the end of the 60,000 training images (55,000 train, 5,000 validate).
const BookValidation = 5000

// EmbeddedValidation is the validation split of the embedded subset: the
// last 1,000 of its 6,000 training images (5,000 train, 1,000 validate; its
// test set is the first 1,000 t10k images).
const EmbeddedValidation = 1000

// Split is one part of a dataset: N examples of Features float32 pixels
// each (byte/255, row-major) and their labels 0..9.
type Split struct {
	X        []float32 // len N*Features
	Y        []int32   // len N
	N        int
	Features int
}

// Head returns the first n examples of s (all of them when n <= 0 or
// n >= s.N), sharing its memory: quick runs train on a prefix.
func (s Split) Head(n int) Split {
	if n <= 0 || n >= s.N {
		return s
	}
	return Split{X: s.X[:n*s.Features], Y: s.Y[:n], N: n, Features: s.Features}
}

// Data is a dataset split as the book does: Train and Val from the training
// file (Val its last examples), Test the t10k file.
type Data struct {
	Kind             Kind
	Train, Val, Test Split
	Rows, Cols       int
	// Embedded is true when the data is the subset compiled into this
	// package because no real files were found; Dir is then "".
	Embedded bool
	Dir      string
}

// Source describes where the data came from, for the first line of a
// report: "fashion-mnist from /dir (55000 train / 5000 val / 10000 test)".
func (d *Data) Source() string {
	where := "from " + d.Dir
	if d.Embedded {
		where = "embedded subset (no data found; see dataset.SearchPaths)"
	}
	return fmt.Sprintf("%s %s (%d train / %d val / %d test)", d.Kind, where, d.Train.N, d.Val.N, d.Test.N)
}

// Options says where Load looks.
type Options struct {
	// Kind is the dataset; "" means FashionMNIST.
	Kind Kind
	// Dir, when set, must hold the four files (directly or in a Kind
	// subfolder); nothing else is searched and there is no fallback.
	Dir string
	// NoEmbedded makes Load fail instead of using the embedded subset.
	NoEmbedded bool
}

// debianDir is where Debian's dataset-* packages install; a variable so
// that tests can take it away.
var debianDir = "/usr/share/datasets"

// ErrNotFound is returned (wrapped) when no folder holds the files.
var ErrNotFound = errors.New("dataset not found")

// SearchPaths lists, in order, the folders Load searches when no Dir is
// given: $NNRT_DATA (itself or its Kind subfolder), Debian's package folder
// /usr/share/datasets/KIND (dataset-fashion-mnist installs there) and Keras's
// cache ~/.keras/datasets/KIND.
func SearchPaths(kind Kind) []string {
	kind = kind.orDefault()
	var p []string
	if env := os.Getenv("NNRT_DATA"); env != "" {
		p = append(p, env, filepath.Join(env, string(kind)))
	}
	p = append(p, filepath.Join(debianDir, string(kind)))
	if home, err := os.UserHomeDir(); err == nil {
		p = append(p, filepath.Join(home, ".keras", "datasets", string(kind)))
	}
	return p
}

func (k Kind) orDefault() Kind {
	if k == "" {
		return FashionMNIST
	}
	return k
}

// Locate returns the folder holding the four files of kind: dir (or
// dir/KIND) when dir is set, else the first of SearchPaths that holds them.
// It returns an error wrapping ErrNotFound when none does.
func Locate(kind Kind, dir string) (string, error) {
	kind = kind.orDefault()
	cands := SearchPaths(kind)
	if dir != "" {
		cands = []string{dir, filepath.Join(dir, string(kind))}
	}
	for _, c := range cands {
		if hasFiles(os.DirFS(c)) {
			return c, nil
		}
	}
	if dir != "" {
		return "", fmt.Errorf("%w: %s holds no %s IDX files (%s.gz and the three others)", ErrNotFound, dir, kind, trainImagesFile)
	}
	return "", fmt.Errorf("%w: no %s IDX files in %v", ErrNotFound, kind, cands)
}

func hasFiles(fsys fs.FS) bool {
	for _, f := range []string{trainImagesFile, trainLabelsFile, testImagesFile, testLabelsFile} {
		if _, err := openEither(fsys, f); err != nil {
			return false
		}
	}
	return true
}

// openEither stats NAME.gz, then NAME, and returns the one present.
func openEither(fsys fs.FS, name string) (string, error) {
	for _, n := range []string{name + ".gz", name} {
		if st, err := fs.Stat(fsys, n); err == nil && st.Mode().IsRegular() {
			return n, nil
		}
	}
	return "", fmt.Errorf("%w: %s(.gz)", fs.ErrNotExist, name)
}

// EmbeddedDir is the Options.Dir (and the value of the commands' --data
// flag) that asks for the embedded subset without searching.
const EmbeddedDir = "embedded"

// Load finds and reads the dataset: Options.Dir if set (EmbeddedDir: the
// embedded subset), else SearchPaths, else (unless NoEmbedded) the embedded
// subset, with Data.Embedded set. Files that exist but are corrupt are an
// error, never a silent fallback.
func Load(opt Options) (*Data, error) {
	kind := opt.Kind.orDefault()
	if opt.Dir == EmbeddedDir && kind == FashionMNIST {
		return LoadEmbedded()
	}
	dir, err := Locate(kind, opt.Dir)
	if err != nil {
		if opt.Dir != "" || opt.NoEmbedded || kind != FashionMNIST {
			return nil, err
		}
		return LoadEmbedded()
	}
	return LoadDir(kind, dir)
}

// LoadDir reads the four files of kind from dir and splits them as the book
// does: the last BookValidation training images validate.
func LoadDir(kind Kind, dir string) (*Data, error) {
	d, err := load(os.DirFS(dir), kind.orDefault(), BookValidation, dir)
	if err != nil {
		return nil, err
	}
	d.Dir = dir
	return d, nil
}

//go:embed subset/*.gz
var subset embed.FS

// LoadEmbedded returns the Fashion-MNIST subset compiled into the package
// (made by internal/mksubset from the real files: the first 6,000 training
// and the first 1,000 test images; subset/README has its MIT license): 5,000 train, 1,000
// validation, 1,000 test.
func LoadEmbedded() (*Data, error) {
	sub, err := fs.Sub(subset, "subset")
	if err != nil {
		return nil, err
	}
	d, err := load(sub, FashionMNIST, EmbeddedValidation, "embedded")
	if err != nil {
		return nil, err
	}
	d.Embedded = true
	return d, nil
}

func load(fsys fs.FS, kind Kind, nval int, where string) (*Data, error) {
	train, err := readPair(fsys, trainImagesFile, trainLabelsFile, where)
	if err != nil {
		return nil, err
	}
	test, err := readPair(fsys, testImagesFile, testLabelsFile, where)
	if err != nil {
		return nil, err
	}
	if train.Rows != test.Rows || train.Cols != test.Cols {
		return nil, fmt.Errorf("dataset %s: train images are %dx%d, test images %dx%d", where, train.Rows, train.Cols, test.Rows, test.Cols)
	}
	if train.N <= nval {
		return nil, fmt.Errorf("dataset %s: %d training images, need more than the %d that validate", where, train.N, nval)
	}
	if test.N == 0 {
		return nil, fmt.Errorf("dataset %s: no test images", where)
	}
	ntrain := train.N - nval
	return &Data{
		Kind:  kind,
		Train: train.slice(0, ntrain),
		Val:   train.slice(ntrain, train.N),
		Test:  test.slice(0, test.N),
		Rows:  train.Rows,
		Cols:  train.Cols,
	}, nil
}

type labelled struct {
	*Images
	labels []byte
}

func readPair(fsys fs.FS, images, labels, where string) (labelled, error) {
	im, err := readFile(fsys, images, where, func(r io.Reader) (*Images, error) { return ReadImages(r) })
	if err != nil {
		return labelled{}, err
	}
	lb, err := readFile(fsys, labels, where, func(r io.Reader) ([]byte, error) { return ReadLabels(r) })
	if err != nil {
		return labelled{}, err
	}
	if len(lb) != im.N {
		return labelled{}, fmt.Errorf("dataset %s: %d images but %d labels", where, im.N, len(lb))
	}
	for i, l := range lb {
		if l >= Classes {
			return labelled{}, fmt.Errorf("dataset %s: label %d of %s is %d, want 0..%d", where, i, labels, l, Classes-1)
		}
	}
	return labelled{im, lb}, nil
}

func readFile[T any](fsys fs.FS, base, where string, read func(io.Reader) (T, error)) (T, error) {
	var zero T
	name, err := openEither(fsys, base)
	if err != nil {
		return zero, fmt.Errorf("dataset %s: %w", where, err)
	}
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return zero, fmt.Errorf("dataset %s: %w", where, err)
	}
	v, err := read(bytes.NewReader(b))
	if err != nil {
		return zero, fmt.Errorf("dataset %s/%s: %w", where, name, err)
	}
	return v, nil
}

// slice converts examples [lo, hi) to float32 pixels/255 (asm.Over255:
// the quotient rounded once, the value of numpy's X/255. followed by
// Keras's cast to float32).
func (l labelled) slice(lo, hi int) Split {
	f := l.Rows * l.Cols
	s := Split{N: hi - lo, Features: f, X: make([]float32, (hi-lo)*f), Y: make([]int32, hi-lo)}
	runtime.AdviseHugePages(s.X) // before the pages are first written
	asm.Over255(s.X, l.Pix[lo*f:hi*f])
	for i, y := range l.labels[lo:hi] {
		s.Y[i] = int32(y)
	}
	return s
}
