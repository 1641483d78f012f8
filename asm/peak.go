package asm

// FMAPeak runs iters iterations of a loop of independent fused
// multiply-adds on level l's widest registers, the most floating-point
// work a core can do, and returns the flops it did: timing it measures the
// core's FMA peak at the clock it runs at now, the yardstick of "percent of
// peak" figures (on a virtual machine whose clock changes with its
// neighbours' load, measure it next to the kernel). It returns 0 on levels
// without one (generic, neon).
func FMAPeak(l Level, iters int) float64 {
	loop, flops := fmaLoopFor(l)
	if loop == nil || iters <= 0 || !available(l) {
		return 0
	}
	loop(iters)
	return float64(iters) * float64(flops)
}

// available reports whether l is one of Available().
func available(l Level) bool {
	for _, a := range Available() {
		if a == l {
			return true
		}
	}
	return false
}
