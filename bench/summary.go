package bench

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
)

// Summary is summary.json: the statistics of a study over its seeds.
//
// Schema (every float may be null: NaN or infinite; for the to-target
// metrics null in Values, Median, TrimmedMean or Max means "not reached"):
//
//	version       int      format version (FormatVersion)
//	study_id      string   Study.ID of the protocol
//	study         Study    the protocol (data, model, optimizer, batch,
//	                       epochs, schedules, seeds, targets, threads per run)
//	complete      bool     every run of the study is present
//	runs          int      finished runs summarized
//	expected      int      runs in the study
//	missing       []string runs not present, "label seed N"
//	diverged      int      runs stopped by a non-finite loss
//	baseline      string   label of the baseline (the first schedule)
//	primary_target float    the target the headline verdict uses (targets[0])
//	statistics    {min_seeds, bootstrap_resamples, bootstrap_seed,
//	               confidence, censoring}
//	schedules     []ScheduleSummary, in the study's order:
//	  label, spec, seeds (seeds with a run), diverged
//	  verdict     headline verdict: the epochs-to-primary-target comparison
//	              (baseline | faster | slower | no detectable difference |
//	              too few seeds to tell)
//	  verdict_text one sentence with the numbers behind it
//	  metrics     []Metric:
//	    name      epochs_to_target | seconds_to_target | best_val_accuracy |
//	              final_val_accuracy | test_accuracy
//	    target    the target (to-target metrics only)
//	    better    "lower" or "higher"
//	    values    per seed (study seed order)
//	    n, reached  runs, and runs that reached the target
//	    median, trimmed_mean (drop min and max), min, max
//	    vs_baseline Comparison (absent for the baseline): pairs, diffs,
//	              mean_diff, ci_low, ci_high (95% bootstrap of the mean
//	              paired difference), p_better, p_low, p_high, verdict
//	  curve       per epoch over seeds: epoch, median and min/max of
//	              val_accuracy and val_loss, median lr
type Summary struct {
	Version       int                `json:"version"`
	StudyID       string             `json:"study_id"`
	Study         *Study             `json:"study"`
	Complete      bool               `json:"complete"`
	Runs          int                `json:"runs"`
	Expected      int                `json:"expected"`
	Missing       []string           `json:"missing"`
	Diverged      int                `json:"diverged"`
	Baseline      string             `json:"baseline"`
	PrimaryTarget float64            `json:"primary_target"`
	Statistics    StatSettings       `json:"statistics"`
	Schedules     []*ScheduleSummary `json:"schedules"`
}

// StatSettings records how the statistics were computed.
type StatSettings struct {
	MinSeeds   int     `json:"min_seeds"`
	Resamples  int     `json:"bootstrap_resamples"`
	Seed       uint64  `json:"bootstrap_seed"`
	Confidence float64 `json:"confidence"`
	Censoring  string  `json:"censoring"`
}

// ScheduleSummary is one schedule's statistics.
type ScheduleSummary struct {
	Label       string    `json:"label"`
	Spec        string    `json:"spec"`
	Seeds       []int64   `json:"seeds"`
	Diverged    int       `json:"diverged"`
	Verdict     string    `json:"verdict"`
	VerdictText string    `json:"verdict_text"`
	Metrics     []*Metric `json:"metrics"`
	Curve       []Point   `json:"curve"`
}

// Metric is one measured quantity of a schedule over its seeds.
type Metric struct {
	Name        string      `json:"name"`
	Target      *float64    `json:"target,omitempty"`
	Better      string      `json:"better"`
	Values      []F         `json:"values"`
	N           int         `json:"n"`
	Reached     int         `json:"reached"`
	Median      F           `json:"median"`
	TrimmedMean F           `json:"trimmed_mean"`
	Min         F           `json:"min"`
	Max         F           `json:"max"`
	VsBaseline  *Comparison `json:"vs_baseline,omitempty"`
}

// Point is one epoch of a schedule's learning curve over seeds.
type Point struct {
	Epoch          int `json:"epoch"`
	Runs           int `json:"runs"` // seeds with this epoch (diverged runs stop early)
	ValAccuracy    F   `json:"val_accuracy"`
	ValAccuracyMin F   `json:"val_accuracy_min"`
	ValAccuracyMax F   `json:"val_accuracy_max"`
	ValLoss        F   `json:"val_loss"`
	ValLossMin     F   `json:"val_loss_min"`
	ValLossMax     F   `json:"val_loss_max"`
	LR             F   `json:"lr"`
}

// metricDef says how to measure one metric on a run; censored is the value
// a never-reaching run takes in the paired difference.
type metricDef struct {
	name        string
	target      *float64
	lowerBetter bool
	value       func(r *Run) float64
	censored    func(r *Run) float64
}

func (st *Study) metricDefs() []metricDef {
	var defs []metricDef
	for _, t := range st.Targets {
		t := t
		defs = append(defs,
			metricDef{"epochs_to_target", &t, true,
				func(r *Run) float64 { return EpochsToTarget(r, t) },
				func(r *Run) float64 { return censorEpochs(st) }},
			metricDef{"seconds_to_target", &t, true,
				func(r *Run) float64 { return SecondsToTarget(r, t) },
				func(r *Run) float64 { return censorSeconds(st, r) }})
	}
	last := func(r *Run) float64 {
		if len(r.Epochs) == 0 {
			return math.NaN()
		}
		return float64(r.Epochs[len(r.Epochs)-1].ValAccuracy)
	}
	best := func(r *Run) float64 {
		b := math.NaN()
		for _, e := range r.Epochs {
			if v := float64(e.ValAccuracy); !(v <= b) { // NaN-aware max
				b = v
			}
		}
		return b
	}
	defs = append(defs,
		metricDef{"best_val_accuracy", nil, false, best, nil},
		metricDef{"final_val_accuracy", nil, false, last, nil},
		metricDef{"test_accuracy", nil, false, func(r *Run) float64 { return float64(r.TestAccuracy) }, nil})
	return defs
}

// Summarize computes the statistics of st over runs (any subset of its
// runs, in canonical order). It is a pure function: the same runs give
// the same summary, byte for byte, wherever they were trained.
func Summarize(st *Study, runs []*Run) *Summary {
	labels := st.Labels()
	s := &Summary{
		Version: FormatVersion, StudyID: st.ID(), Study: st,
		Runs: len(runs), Expected: len(st.Runs()), Missing: Missing(st, runs),
		Baseline: labels[0], PrimaryTarget: st.Targets[0],
		Statistics: StatSettings{MinSeeds, BootstrapResamples, BootstrapSeed, Confidence,
			fmt.Sprintf("a run that never reaches a target counts as not reached (null) in medians and trimmed means, and as reaching it at epoch %d (one past the end, at its mean epoch time) in paired differences", st.Epochs+1)},
	}
	if s.Missing == nil {
		s.Missing = []string{}
	}
	s.Complete = len(s.Missing) == 0
	// bySchedule[i][seed] is the run of schedule i with that seed.
	bySchedule := make([]map[int64]*Run, len(st.Schedules))
	for i := range bySchedule {
		bySchedule[i] = map[int64]*Run{}
	}
	keys := st.Runs()
	for _, r := range runs {
		bySchedule[keys[r.Index].Schedule][r.Seed] = r
		if r.Diverged() {
			s.Diverged++
		}
	}
	defs := st.metricDefs()
	for i, spec := range st.Schedules {
		ss := &ScheduleSummary{Label: labels[i], Spec: spec, Seeds: []int64{}}
		var own []*Run
		for _, sd := range st.Seeds {
			if r := bySchedule[i][sd]; r != nil {
				own = append(own, r)
				ss.Seeds = append(ss.Seeds, sd)
				if r.Diverged() {
					ss.Diverged++
				}
			}
		}
		for _, d := range defs {
			m := &Metric{Name: d.name, Target: d.target, Better: pick(d.lowerBetter, "lower", "higher")}
			vals := make([]float64, len(own))
			for k, r := range own {
				vals[k] = d.value(r)
				if !math.IsInf(vals[k], 1) {
					m.Reached++
				}
			}
			m.Values, m.N = toF(vals), len(vals)
			if len(vals) > 0 {
				mn, mx := math.Inf(1), math.Inf(-1)
				for _, v := range vals {
					mn, mx = math.Min(mn, v), math.Max(mx, v)
				}
				m.Median, m.TrimmedMean, m.Min, m.Max = F(Median(vals)), F(TrimmedMean(vals)), F(mn), F(mx)
			} else {
				nan := F(math.NaN())
				m.Median, m.TrimmedMean, m.Min, m.Max = nan, nan, nan, nan
			}
			if i > 0 {
				var diffs []float64
				for _, sd := range st.Seeds {
					a, b := bySchedule[i][sd], bySchedule[0][sd]
					if a == nil || b == nil {
						continue
					}
					va, vb := d.value(a), d.value(b)
					if d.censored != nil {
						if math.IsInf(va, 1) {
							va = d.censored(a)
						}
						if math.IsInf(vb, 1) {
							vb = d.censored(b)
						}
					}
					if finite(va) && finite(vb) {
						diffs = append(diffs, va-vb)
					}
				}
				m.VsBaseline = Compare(diffs, d.lowerBetter)
			}
			ss.Metrics = append(ss.Metrics, m)
		}
		ss.Curve = curve(own)
		ss.Verdict, ss.VerdictText = headline(s, ss)
		s.Schedules = append(s.Schedules, ss)
	}
	return s
}

// Metric returns the schedule's metric by name (and target), or nil.
func (ss *ScheduleSummary) Metric(name string, target float64) *Metric {
	for _, m := range ss.Metrics {
		if m.Name == name && (m.Target == nil || *m.Target == target) {
			return m
		}
	}
	return nil
}

// headline is the verdict on the primary target's epochs, with its numbers.
func headline(s *Summary, ss *ScheduleSummary) (string, string) {
	t := s.PrimaryTarget
	m := ss.Metric("epochs_to_target", t)
	reach := fmt.Sprintf("median %s epochs to %s (%d of %d runs reach it)", fmtEpochs(float64(m.Median)), fmtPct(t), m.Reached, m.N)
	if m.VsBaseline == nil {
		return VerdictBaseline, "baseline: " + reach
	}
	c := m.VsBaseline
	num := fmt.Sprintf("%s; %+.2f epochs vs %s (95%% CI %+.2f to %+.2f), P(fewer epochs) = %.2f [%.2f, %.2f] over %d paired seeds",
		reach, float64(c.MeanDiff), s.Baseline, float64(c.CILow), float64(c.CIHigh), float64(c.PBetter), float64(c.PLow), float64(c.PHigh), c.Pairs)
	if c.Pairs == 0 {
		num = reach + "; no seeds paired with the baseline"
	}
	switch c.Verdict {
	case VerdictTooFew:
		return c.Verdict, fmt.Sprintf("too few seeds to tell (%d paired, %d needed): %s", c.Pairs, MinSeeds, num)
	case VerdictFaster:
		return c.Verdict, "converges faster than " + s.Baseline + ": " + num
	case VerdictSlower:
		return c.Verdict, "converges slower than " + s.Baseline + ": " + num
	}
	return c.Verdict, "no detectable difference from " + s.Baseline + ": " + num
}

func fmtEpochs(v float64) string {
	if math.IsInf(v, 1) {
		return "never (not reached)"
	}
	if math.IsNaN(v) {
		return "-"
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

func fmtPct(t float64) string { return strconv.FormatFloat(t, 'g', -1, 64) }

// curve computes the median and range over seeds per epoch.
func curve(runs []*Run) []Point {
	maxE := 0
	for _, r := range runs {
		maxE = max(maxE, len(r.Epochs))
	}
	pts := make([]Point, 0, maxE)
	for e := 0; e < maxE; e++ {
		var acc, loss, lr []float64
		for _, r := range runs {
			if e < len(r.Epochs) {
				ep := r.Epochs[e]
				acc = appendFinite(acc, float64(ep.ValAccuracy))
				loss = appendFinite(loss, float64(ep.ValLoss))
				lr = appendFinite(lr, float64(ep.LR))
			}
		}
		p := Point{Epoch: e + 1, Runs: len(acc)}
		p.ValAccuracy, p.ValAccuracyMin, p.ValAccuracyMax = medRange(acc)
		p.ValLoss, p.ValLossMin, p.ValLossMax = medRange(loss)
		p.LR = F(Median(lr))
		pts = append(pts, p)
	}
	return pts
}

func appendFinite(x []float64, v float64) []float64 {
	if finite(v) {
		return append(x, v)
	}
	return x
}

func medRange(x []float64) (F, F, F) {
	if len(x) == 0 {
		nan := F(math.NaN())
		return nan, nan, nan
	}
	mn, mx := x[0], x[0]
	for _, v := range x {
		mn, mx = math.Min(mn, v), math.Max(mx, v)
	}
	return F(Median(x)), F(mn), F(mx)
}

// csvHeader is summary.csv's header: one row per schedule and metric.
var csvHeader = []string{"schedule", "spec", "metric", "target", "better", "n", "reached",
	"median", "trimmed_mean", "min", "max", "mean_diff", "ci_low", "ci_high",
	"p_better", "p_low", "p_high", "verdict"}

// CSV renders summary.csv: empty cells for undefined values, "inf" for a
// target not reached.
func (s *Summary) CSV() []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(csvHeader)
	num := func(f F) string {
		v := float64(f)
		switch {
		case math.IsNaN(v):
			return ""
		case math.IsInf(v, 1):
			return "inf"
		case math.IsInf(v, -1):
			return "-inf"
		}
		return strconv.FormatFloat(v, 'g', 8, 64)
	}
	for _, ss := range s.Schedules {
		for _, m := range ss.Metrics {
			target := ""
			if m.Target != nil {
				target = fmtPct(*m.Target)
			}
			row := []string{ss.Label, ss.Spec, m.Name, target, m.Better, strconv.Itoa(m.N), strconv.Itoa(m.Reached),
				num(m.Median), num(m.TrimmedMean), num(m.Min), num(m.Max)}
			if c := m.VsBaseline; c != nil {
				row = append(row, num(c.MeanDiff), num(c.CILow), num(c.CIHigh), num(c.PBetter), num(c.PLow), num(c.PHigh), c.Verdict)
			} else {
				row = append(row, "", "", "", "", "", "", VerdictBaseline)
			}
			w.Write(row)
		}
	}
	w.Flush()
	return buf.Bytes()
}

// WriteSummary writes summary.json and summary.csv into dir.
func WriteSummary(dir string, s *Summary) error {
	if err := writeAtomic(filepath.Join(dir, SummaryJSON), mustJSON(s)); err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, SummaryCSV), s.CSV())
}
