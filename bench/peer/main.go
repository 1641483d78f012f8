// Command peer measures nnrt side by side with its peers in one run:
// `peer sgemm` times blas.Sgemm, OpenBLAS (cgo, Debian's libopenblas) and
// gonum's pure-Go Sgemm; `peer epoch` times an epoch of the book's model in
// nnrt and in PyTorch (torch_epoch.py). It is a module of its own so that
// the nnrt module stays free of cgo. See README.md.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage(os.Stderr)
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "sgemm":
		err = runSgemm(os.Args[2:], os.Stdout, os.Stderr)
	case "probe-openblas": // internal: one kernel set, see coretype.go
		err = runProbe(os.Stdout)
	case "epoch":
		err = runEpoch(os.Args[2:], os.Stdout, os.Stderr)
	case "help", "-h", "--help":
		usage(os.Stdout)
		return
	default:
		usage(os.Stderr)
		os.Exit(2)
	}
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	default:
		fmt.Fprintf(os.Stderr, "peer %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: peer sgemm [flags]   nnrt vs OpenBLAS vs gonum SGEMM")
	fmt.Fprintln(w, "       peer epoch [flags]   nnrt vs PyTorch seconds per epoch of the book's model")
	fmt.Fprintln(w, "Run `peer CMD -h` for the flags. Unset OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE first (make sgemm does).")
}
