package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// truncatedNormalStd is the standard deviation of N(0,1) truncated to
// [-2, 2]: Keras divides its target stddev by it so that the samples, after
// redrawing those beyond two sigmas, have exactly the requested stddev.
const truncatedNormalStd = 0.87962566103423978

// initializer describes Keras's VarianceScaling family (and the constants):
// scale, mode ("fan_in", "fan_out", "fan_avg") and distribution
// ("truncated_normal", "uniform"), or a constant value.
type initializer struct {
	scale        float64
	mode         string
	distribution string
	constant     float64
}

var initializers = map[string]initializer{
	"he_normal":      {scale: 2, mode: "fan_in", distribution: "truncated_normal"},
	"he_uniform":     {scale: 2, mode: "fan_in", distribution: "uniform"},
	"glorot_normal":  {scale: 1, mode: "fan_avg", distribution: "truncated_normal"},
	"glorot_uniform": {scale: 1, mode: "fan_avg", distribution: "uniform"},
	"lecun_normal":   {scale: 1, mode: "fan_in", distribution: "truncated_normal"},
	"lecun_uniform":  {scale: 1, mode: "fan_in", distribution: "uniform"},
	"zeros":          {distribution: "constant", constant: 0},
	"ones":           {distribution: "constant", constant: 1},
}

func lookupInitializer(name string) (initializer, error) {
	in, ok := initializers[name]
	if !ok {
		return initializer{}, fmt.Errorf("unknown initializer %q (want he_normal, he_uniform, glorot_normal, glorot_uniform, lecun_normal, lecun_uniform, zeros or ones)", name)
	}
	return in, nil
}

// scaleParam returns the stddev (truncated_normal, before the division by
// truncatedNormalStd is undone by truncation) or the uniform limit.
func (in initializer) scaleParam(fanIn, fanOut int) float64 {
	var n float64
	switch in.mode {
	case "fan_in":
		n = float64(fanIn)
	case "fan_out":
		n = float64(fanOut)
	default:
		n = float64(fanIn+fanOut) / 2
	}
	n = math.Max(1, n)
	if in.distribution == "uniform" {
		return math.Sqrt(3 * in.scale / n)
	}
	return math.Sqrt(in.scale/n) / truncatedNormalStd
}

// fill initializes w, a variable with the given fans, from rng.
func (in initializer) fill(w []float32, fanIn, fanOut int, rng *rand.Rand) {
	switch in.distribution {
	case "constant":
		for i := range w {
			w[i] = float32(in.constant)
		}
	case "uniform":
		limit := in.scaleParam(fanIn, fanOut)
		for i := range w {
			w[i] = float32((2*rng.Float64() - 1) * limit)
		}
	default:
		std := in.scaleParam(fanIn, fanOut)
		for i := range w {
			z := rng.NormFloat64()
			for z < -2 || z > 2 {
				z = rng.NormFloat64()
			}
			w[i] = float32(z * std)
		}
	}
}
