module github.com/nnrt/nnrt/bench/peer

go 1.26.0

require (
	github.com/montanaflynn/stats v0.14.0
	github.com/nnrt/nnrt v0.0.0
	gonum.org/v1/gonum v0.17.0
)

require (
	github.com/klauspost/cpuid/v2 v2.4.2 // indirect
	golang.org/x/sys v0.50.0 // indirect
)

replace github.com/nnrt/nnrt => ../..
