package main

// OpenBLAS through plain cgo: cblas_sgemm with row-major storage, so the
// arguments are exactly gonum's (and nnrt's) Sgemm arguments. pkg-config
// finds Debian's libopenblas-dev (the pthread flavour, whose thread count
// openblas_set_num_threads sets).

/*
#cgo pkg-config: openblas
#include <cblas.h>

// sgemm_loop calls cblas_sgemm reps times from C, so that timing a tiny
// product measures OpenBLAS and not the cost of a cgo call per product.
static void sgemm_loop(int reps, enum CBLAS_TRANSPOSE ta, enum CBLAS_TRANSPOSE tb,
		blasint m, blasint n, blasint k, float alpha, const float *a, blasint lda,
		const float *b, blasint ldb, float beta, float *c, blasint ldc) {
	for (int i = 0; i < reps; i++) {
		cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
	}
}
*/
import "C"

import (
	"unsafe"

	gblas "gonum.org/v1/gonum/blas"
)

func cblasTrans(t gblas.Transpose) C.enum_CBLAS_TRANSPOSE {
	if t == gblas.NoTrans {
		return C.CblasNoTrans
	}
	return C.CblasTrans
}

// openblasSgemm calls cblas_sgemm(CblasRowMajor, ...) reps times in a row
// from C. The caller passes operands that gonum's argument checks accept
// (the peer test runs all three libraries on the same operands), so no
// check is repeated here.
func openblasSgemm(reps int, tA, tB gblas.Transpose, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	C.sgemm_loop(C.int(reps), cblasTrans(tA), cblasTrans(tB),
		C.blasint(m), C.blasint(n), C.blasint(k), C.float(alpha),
		(*C.float)(unsafe.Pointer(unsafe.SliceData(a))), C.blasint(lda),
		(*C.float)(unsafe.Pointer(unsafe.SliceData(b))), C.blasint(ldb), C.float(beta),
		(*C.float)(unsafe.Pointer(unsafe.SliceData(c))), C.blasint(ldc))
}

// openblasSetThreads sets the number of threads OpenBLAS uses.
func openblasSetThreads(n int) { C.openblas_set_num_threads(C.int(n)) }

// openblasThreads reports the number of threads OpenBLAS uses.
func openblasThreads() int { return int(C.openblas_get_num_threads()) }

// openblasCorename names the kernel set OpenBLAS chose at load time
// (e.g. "SkylakeX", or "Haswell" when OPENBLAS_CORETYPE forces it).
func openblasCorename() string { return C.GoString(C.openblas_get_corename()) }

// openblasConfig is OpenBLAS's build configuration string (version, flags).
func openblasConfig() string { return C.GoString(C.openblas_get_config()) }
