package bench

import (
	"math"
	"math/rand/v2"
	"sort"

	"github.com/montanaflynn/stats"
)

// Statistical settings of every study; summary.json records them.
const (
	// MinSeeds is the fewest paired seeds for which a verdict is given:
	// MLPerf's count for vision benchmarks. Fewer give "too few seeds to tell".
	MinSeeds = 5
	// BootstrapResamples is the number of bootstrap resamples per interval.
	BootstrapResamples = 10000
	// BootstrapSeed seeds the bootstrap's PCG generator, so that a summary
	// is a pure function of the results.
	BootstrapSeed = 20170206
	// Confidence is the coverage of every interval.
	Confidence = 0.95
)

// Verdicts.
const (
	VerdictBaseline = "baseline"
	VerdictFaster   = "faster"
	VerdictSlower   = "slower"
	VerdictHigher   = "higher"
	VerdictLower    = "lower"
	VerdictNone     = "no detectable difference"
	VerdictTooFew   = "too few seeds to tell"
)

// TrimmedMean is the olympic mean MLPerf uses: the mean after dropping the
// smallest and the largest value (one each). With fewer than three values
// nothing is dropped. An infinite value (a run that never reached a target)
// stays infinite unless it is the one dropped as largest, which is MLPerf's
// rule that one non-converging run may count as the slowest.
func TrimmedMean(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	c := append([]float64(nil), x...)
	sort.Float64s(c)
	if len(c) >= 3 {
		c = c[1 : len(c)-1]
	}
	m, _ := stats.Mean(c)
	return m
}

// Median is the sample median (the mean of the two middle values for an
// even count); NaN for no values.
func Median(x []float64) float64 {
	m, err := stats.Median(x)
	if err != nil {
		return math.NaN()
	}
	return m
}

// Comparison is a paired comparison of a schedule with the baseline over
// the seeds both ran: per seed the difference schedule - baseline.
type Comparison struct {
	Pairs    int `json:"pairs"`
	Diffs    []F `json:"diffs"`     // per paired seed, seed order
	MeanDiff F   `json:"mean_diff"` // mean of Diffs
	// CILow and CIHigh bound the 95% percentile-bootstrap interval of the
	// mean difference (seeds resampled with replacement).
	CILow  F `json:"ci_low"`
	CIHigh F `json:"ci_high"`
	// PBetter is the probability of improvement: the share of paired seeds
	// on which the schedule is better than the baseline, a tie counting
	// one half; PLow and PHigh bound its 95% bootstrap interval.
	PBetter F      `json:"p_better"`
	PLow    F      `json:"p_low"`
	PHigh   F      `json:"p_high"`
	Verdict string `json:"verdict"`
}

// Compare computes the paired comparison of diffs (schedule - baseline, one
// per seed, all finite). lowerBetter says whether a negative difference is
// an improvement (epochs, seconds) or a positive one is (accuracy). The
// verdict is faster/slower (lowerBetter) or higher/lower when the interval
// excludes zero, "no detectable difference" when it does not, and "too few
// seeds to tell" below MinSeeds pairs whatever the interval says.
func Compare(diffs []float64, lowerBetter bool) *Comparison {
	n := len(diffs)
	c := &Comparison{Pairs: n, Diffs: toF(diffs)}
	if n == 0 {
		nan := F(math.NaN())
		c.MeanDiff, c.CILow, c.CIHigh, c.PBetter, c.PLow, c.PHigh = nan, nan, nan, nan, nan, nan
		c.Verdict = VerdictTooFew
		return c
	}
	score := func(d float64) float64 { // 1 better, 0.5 tie, 0 worse
		switch {
		case d == 0:
			return 0.5
		case (d < 0) == lowerBetter:
			return 1
		}
		return 0
	}
	mean, _ := stats.Mean(diffs)
	var p float64
	for _, d := range diffs {
		p += score(d)
	}
	c.MeanDiff, c.PBetter = F(mean), F(p/float64(n))

	rng := rand.New(rand.NewPCG(BootstrapSeed, uint64(n)))
	means := make([]float64, BootstrapResamples)
	probs := make([]float64, BootstrapResamples)
	for b := range means {
		var s, w float64
		for range n {
			d := diffs[rng.IntN(n)]
			s += d
			w += score(d)
		}
		means[b], probs[b] = s/float64(n), w/float64(n)
	}
	lo, hi := 100*(1-Confidence)/2, 100*(1+Confidence)/2
	c.CILow, c.CIHigh = F(percentile(means, lo)), F(percentile(means, hi))
	c.PLow, c.PHigh = F(percentile(probs, lo)), F(percentile(probs, hi))

	switch {
	case n < MinSeeds:
		c.Verdict = VerdictTooFew
	case c.CIHigh < 0:
		c.Verdict = pick(lowerBetter, VerdictFaster, VerdictLower)
	case c.CILow > 0:
		c.Verdict = pick(lowerBetter, VerdictSlower, VerdictHigher)
	default:
		c.Verdict = VerdictNone
	}
	return c
}

func pick(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}

// percentile is stats.Percentile (linear interpolation between closest
// ranks, numpy's default) with its error turned into NaN.
func percentile(x []float64, p float64) float64 {
	v, err := stats.Percentile(x, p)
	if err != nil {
		return math.NaN()
	}
	return v
}

func toF(x []float64) []F {
	out := make([]F, len(x))
	for i, v := range x {
		out[i] = F(v)
	}
	return out
}

// EpochsToTarget returns the first epoch (1-based) whose validation
// accuracy is at least target, and +Inf when no epoch reaches it (a
// diverged run counts the epochs it finished).
func EpochsToTarget(r *Run, target float64) float64 {
	for _, e := range r.Epochs {
		if float64(e.ValAccuracy) >= target {
			return float64(e.Epoch)
		}
	}
	return math.Inf(1)
}

// SecondsToTarget returns the wall time from the start of training to the
// end of the validation that first reached target (MLPerf's time to
// quality: evaluation counts), and +Inf when it is never reached.
func SecondsToTarget(r *Run, target float64) float64 {
	var t float64
	for _, e := range r.Epochs {
		t += float64(e.Seconds)
		if float64(e.ValAccuracy) >= target {
			return t
		}
	}
	return math.Inf(1)
}

// censorEpochs and censorSeconds give the value a never-reaching run takes
// in a paired difference: one epoch past the end of the study (and that
// many epochs at the run's mean epoch time). It is a lower bound on when
// the run would have got there, so a gain against a baseline that never
// arrives is understated, never overstated.
func censorEpochs(st *Study) float64 { return float64(st.Epochs + 1) }

func censorSeconds(st *Study, r *Run) float64 {
	if len(r.Epochs) == 0 {
		return math.Inf(1)
	}
	var t float64
	for _, e := range r.Epochs {
		t += float64(e.Seconds)
	}
	return t / float64(len(r.Epochs)) * float64(st.Epochs+1)
}
