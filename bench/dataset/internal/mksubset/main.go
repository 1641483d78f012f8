// Command mksubset writes the Fashion-MNIST subset that package dataset
// embeds: the first -train training images and the first -test t10k images
// with their labels, as IDX gz files (deterministic: gzip best compression,
// no timestamp). Run it through `go generate ./bench/dataset` on a machine
// with the real files (Debian: apt install dataset-fashion-mnist).
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/nnrt/nnrt/bench/dataset"
)

func main() {
	src := flag.String("src", "/usr/share/datasets/fashion-mnist", "folder with the real IDX gz files")
	dst := flag.String("dst", "subset", "output folder")
	ntrain := flag.Int("train", 6000, "training images to keep (the first ones)")
	ntest := flag.Int("test", 1000, "test images to keep (the first ones)")
	flag.Parse()
	if err := run(*src, *dst, *ntrain, *ntest); err != nil {
		fmt.Fprintln(os.Stderr, "mksubset:", err)
		os.Exit(1)
	}
}

func run(src, dst string, ntrain, ntest int) error {
	for _, p := range []struct {
		prefix string
		n      int
	}{{"train", ntrain}, {"t10k", ntest}} {
		im, err := readIDX(filepath.Join(src, p.prefix+"-images-idx3-ubyte.gz"))
		if err != nil {
			return err
		}
		lb, err := readIDX(filepath.Join(src, p.prefix+"-labels-idx1-ubyte.gz"))
		if err != nil {
			return err
		}
		if len(im.Dims) != 3 || len(lb.Dims) != 1 || im.Dims[0] < p.n || lb.Dims[0] < p.n {
			return fmt.Errorf("%s: want at least %d images and labels, have %v and %v", p.prefix, p.n, im.Dims, lb.Dims)
		}
		px := im.Dims[1] * im.Dims[2]
		if err := writeIDX(filepath.Join(dst, p.prefix+"-images-idx3-ubyte.gz"),
			&dataset.IDX{Dims: []int{p.n, im.Dims[1], im.Dims[2]}, Data: im.Data[:p.n*px]}); err != nil {
			return err
		}
		if err := writeIDX(filepath.Join(dst, p.prefix+"-labels-idx1-ubyte.gz"),
			&dataset.IDX{Dims: []int{p.n}, Data: lb.Data[:p.n]}); err != nil {
			return err
		}
	}
	return nil
}

func readIDX(path string) (*dataset.IDX, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	a, err := dataset.ReadIDX(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

func writeIDX(path string, a *dataset.IDX) error {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	if err := dataset.WriteIDX(zw, a); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
