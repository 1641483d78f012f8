//go:build !purego

package asm

//go:generate sh -c "cd _gen && env -u GOARCH go build -o /tmp/a64enc ./a64enc && cd .. && A64ENC=/tmp/a64enc python3 -B _gen/dropout/neon.py"

// dropoutFor returns the table of level l (generic for levels this
// architecture lacks).
func dropoutFor(l Level) *dropoutKernels {
	if l == NEON {
		return &dropoutNEON
	}
	return &dropoutGeneric
}

// The byte form serves the byte products (asm/amxbytes.go), which arm64
// lacks: the Go loop.
var dropoutNEON = dropoutKernels{forward: dropoutForwardNEON, backward: dropoutBackwardNEON, bytes: dropoutBytesGeneric}

//go:noescape
func dropoutForwardNEON(dst []float32, x []float32, mask []uint64, k0 uint32, k1 uint32, lo0 uint32, thr uint32, a float32, b float32, c float32, flags uint32)

//go:noescape
func dropoutBackwardNEON(dx []float32, dy []float32, mask []uint64, scale float32, nt uint32)
