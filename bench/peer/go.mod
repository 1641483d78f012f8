module github.com/nnrt/nnrt/bench/peer

go 1.26.0

require (
	github.com/nnrt/nnrt v0.0.0
	gonum.org/v1/gonum v0.17.0
)

replace github.com/nnrt/nnrt => ../..
