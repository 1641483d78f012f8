// Package gen is the home of the avo generators of nnrt's x86 assembly, one
// main package per kernel family in a subfolder (vec/, act/, ...). Each
// writes ../../F_amd64.s; run them with `go generate` from asm/. It is a
// module of its own so that the library does not depend on avo.
package gen
