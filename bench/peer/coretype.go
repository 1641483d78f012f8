package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/nnrt/nnrt/bench/kernels"
	gblas "gonum.org/v1/gonum/blas"
)

// OpenBLAS picks its kernel set when it is loaded, from the CPU model, or
// from OPENBLAS_CORETYPE. Measuring it "at its best" needs care both ways:
// an environment that sets OPENBLAS_CORETYPE (or OPENBLAS_L2_SIZE) can force
// it onto slower kernels, and a CPU newer than the library (0.3.21 predates
// Emerald Rapids, family 6 model 207) makes its own choice fall back to
// generic SSE3 "Prescott" kernels. So `peer sgemm` first probes the
// library's own choice and the x86-64 kernel sets that can be best on
// current servers, each in a process of its own, and runs the benchmark
// with the fastest, saying which ran. PyTorch's matrix products go through
// the same library (Debian builds it on the system BLAS, which is OpenBLAS),
// so `peer epoch` runs torch_epoch.py with the same choice.

// chosenEnv marks the process that runs with the chosen kernel set.
const chosenEnv = "PEER_OPENBLAS_CHOSEN"

// coretypeCandidates are probed by -coretype auto; "" is the library's
// own choice (OPENBLAS_CORETYPE unset).
var coretypeCandidates = []string{"", "SkylakeX", "Cooperlake", "Haswell", "Zen"}

// probeProducts are what a kernel set is judged on: a big square and the
// batch-32 forward and weight-gradient products of the book's first layer.
var probeProducts = []product{
	{"square 1024", gblas.NoTrans, gblas.NoTrans, 1024, 1024, 1024},
	{"b32 L1 fwd", gblas.NoTrans, gblas.NoTrans, 32, 300, 784},
	{"b32 L1 dW", gblas.Trans, gblas.NoTrans, 784, 300, 32},
}

// probeResult is what `peer probe-openblas` prints.
type probeResult struct {
	Core   string    `json:"core"`
	GFLOPS []float64 `json:"gflops"`
	Geo    float64   `json:"geomean"`
}

// runProbe measures OpenBLAS alone on one thread on probeProducts.
func runProbe(stdout io.Writer) error {
	openblasSetThreads(1)
	r := probeResult{Core: openblasCorename()}
	rng := rand.New(rand.NewPCG(3, 4))
	logSum := 0.0
	for _, p := range probeProducts {
		o := newOperands(p, 1, rng)
		fn := func() { openblasSgemm(1, p.tA, p.tB, p.m, p.n, p.k, 1, o.a, o.lda, o.b, o.ldb, 0, o.c[0], o.ldc) }
		s := kernels.Measure(fn, p.flops(), 3, 30*time.Millisecond)
		r.GFLOPS = append(r.GFLOPS, s.Median)
		logSum += math.Log(s.Median)
	}
	r.Geo = math.Exp(logSum / float64(len(probeProducts)))
	return json.NewEncoder(stdout).Encode(r)
}

// openblasEnv returns the environment with OPENBLAS_L2_SIZE removed and
// OPENBLAS_CORETYPE set to core (removed when core is "").
func openblasEnv(core string, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "OPENBLAS_CORETYPE=") || strings.HasPrefix(kv, "OPENBLAS_L2_SIZE=") {
			continue
		}
		env = append(env, kv)
	}
	if core != "" {
		env = append(env, "OPENBLAS_CORETYPE="+core)
	}
	return append(env, extra...)
}

// chooseCoretype returns the OPENBLAS_CORETYPE to run with: coretype
// itself, or with "auto" the fastest candidate, after printing what each
// candidate gave.
func chooseCoretype(coretype string, stdout io.Writer) (string, error) {
	if coretype != "auto" {
		return coretype, nil
	}
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	fmt.Fprintln(stdout, "OpenBLAS kernel sets, one thread, GFLOPS (1024^3, 32x300x784 NN, 784x300x32 TN):")
	best, core := -1.0, ""
	seen := map[string]bool{}
	for _, c := range coretypeCandidates {
		cmd := exec.Command(exe, "probe-openblas")
		cmd.Env = openblasEnv(c)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		label := c
		if label == "" {
			label = "(library's choice)"
		}
		if err := cmd.Run(); err != nil {
			fmt.Fprintf(stdout, "  %-20s failed: %v %s\n", label, err, strings.TrimSpace(errb.String()))
			continue
		}
		var r probeResult
		if err := json.Unmarshal(out.Bytes(), &r); err != nil {
			return "", fmt.Errorf("probe %s: %v in %q", label, err, out.String())
		}
		note := ""
		if seen[r.Core] {
			note = " (same kernels as above)"
		}
		seen[r.Core] = true
		fmt.Fprintf(stdout, "  %-20s core %-12s %6.1f %6.1f %6.1f  geomean %.1f%s\n", label, r.Core, r.GFLOPS[0], r.GFLOPS[1], r.GFLOPS[2], r.Geo, note)
		if r.Geo > best {
			best, core = r.Geo, c
		}
	}
	if best < 0 {
		return "", fmt.Errorf("no OpenBLAS kernel set ran")
	}
	fmt.Fprintf(stdout, "OPENBLAS_CORETYPE=%q is the fastest\n\n", core)
	return core, nil
}

// rerunWithCoretype picks the kernel set (probing the candidates when
// coretype is "auto") and runs `peer sgemm args` again with it.
func rerunWithCoretype(coretype string, args []string, stdout, stderr io.Writer) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	core, err := chooseCoretype(coretype, stdout)
	if err != nil {
		return err
	}
	cmd := exec.Command(exe, slices.Concat([]string{"sgemm"}, args)...)
	cmd.Env = openblasEnv(core, chosenEnv+"=1")
	cmd.Stdout, cmd.Stderr = stdout, stderr
	return cmd.Run()
}
