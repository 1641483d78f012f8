// Package bench runs nnrt's schedule study and reports it: the book's model
// trained under each learning-rate schedule over several seeds, with
// everything but the schedule held fixed per seed, and statistics that say
// whether each schedule reaches the target validation accuracies in fewer
// epochs (and seconds) than a constant rate.
//
// The pieces, in the order a study uses them:
//
//   - Study: the protocol (data, model, optimizer, batch, epochs, schedules,
//     seeds, targets) and its canonical list of runs, partitioned by Shard;
//   - Store: results.jsonl in the output folder, one JSON line per finished
//     run, appended atomically, read back to resume or to merge shards;
//   - Trainer: trains one run (NNTrainer wires nn.Fit; tests use synthetic
//     trainers); Execute trains Config.Jobs runs at once, each with its own
//     model and Study.Threads kernel threads, and a run's results depend on
//     the protocol, its schedule and its seed only, never on the jobs or on
//     the order runs finish in;
//   - Summarize: statistics over seeds and a verdict per schedule;
//   - WriteOutputs: summary.json, summary.csv, plots (PNG and SVG) and
//     report.html.
//
// Execute ties them together for `nnbench schedules`; Merge (with
// WriteStudy, WriteResults, WriteOutputs) serves `nnbench merge`, and Load
// with WriteOutputs `nnbench report`. LRFind runs the learning-rate range
// test of `nnbench lrfind`.
package bench

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// FormatVersion is the version of the results and summary formats; a
// folder written by another version is refused like another protocol.
//
// Version 2 added Study.Threads (kernel threads per run) and Run.Jobs.
const FormatVersion = 2

// DataInfo identifies the data a study ran on.
type DataInfo struct {
	Kind     string `json:"kind"`     // "fashion-mnist"
	Embedded bool   `json:"embedded"` // the subset shipped in the repository
	Train    int    `json:"train"`
	Val      int    `json:"val"`
	Test     int    `json:"test"`
}

// Study is the protocol of a schedule study: everything that decides what
// the runs compute. Two folders can be resumed or merged together only when
// their Studies are equal (ID compares them). The kernel threads per run
// are part of it, because a thread count may change how a reduction is
// split and so the bits of a run; how many runs train at once (Config.Jobs)
// and sharding are not: they change speed, not what a run computes.
type Study struct {
	Version   int       `json:"version"`
	Data      DataInfo  `json:"data"`
	Model     string    `json:"model"`     // architecture, as text
	Optimizer string    `json:"optimizer"` // optimizer SPEC, e.g. "sgd"
	Batch     int       `json:"batch"`
	Epochs    int       `json:"epochs"`
	Schedules []string  `json:"schedules"` // SPECs; Schedules[0] is the baseline
	Seeds     []int64   `json:"seeds"`
	Targets   []float64 `json:"targets"` // validation accuracies; Targets[0] is primary
	Threads   int       `json:"threads"` // kernel threads per run (runtime.SetThreads)
}

// Validate reports the first thing that makes s unusable.
func (s *Study) Validate() error {
	switch {
	case s.Version != FormatVersion:
		return fmt.Errorf("format version %d, this nnbench writes %d", s.Version, FormatVersion)
	case len(s.Schedules) == 0:
		return errors.New("no schedules")
	case len(s.Seeds) == 0:
		return errors.New("no seeds")
	case s.Epochs < 1:
		return fmt.Errorf("epochs %d < 1", s.Epochs)
	case s.Batch < 1:
		return fmt.Errorf("batch %d < 1", s.Batch)
	case len(s.Targets) == 0:
		return errors.New("no targets")
	case s.Threads < 1:
		return fmt.Errorf("threads per run %d < 1", s.Threads)
	}
	seen := map[string]bool{}
	for _, sc := range s.Schedules {
		if strings.TrimSpace(sc) == "" {
			return errors.New("empty schedule SPEC")
		}
		if seen[sc] {
			return fmt.Errorf("schedule %q listed twice", sc)
		}
		seen[sc] = true
	}
	seeds := map[int64]bool{}
	for _, sd := range s.Seeds {
		if seeds[sd] {
			return fmt.Errorf("seed %d listed twice", sd)
		}
		seeds[sd] = true
	}
	for _, t := range s.Targets {
		if !(t > 0 && t <= 1) {
			return fmt.Errorf("target %v outside (0, 1]", t)
		}
	}
	return nil
}

// ID is a short digest of the protocol; every results line carries it so
// that lines of another study are recognized.
func (s *Study) ID() string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err) // a Study holds only plain, finite values
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:6])
}

// Diff lists, as "field: a != b", the protocol fields where s and o differ;
// nil when they are the same study.
func (s *Study) Diff(o *Study) []string {
	var d []string
	add := func(name string, a, b any) {
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if string(ja) != string(jb) {
			d = append(d, fmt.Sprintf("%s: %s != %s", name, ja, jb))
		}
	}
	add("version", s.Version, o.Version)
	add("data", s.Data, o.Data)
	add("model", s.Model, o.Model)
	add("optimizer", s.Optimizer, o.Optimizer)
	add("batch", s.Batch, o.Batch)
	add("epochs", s.Epochs, o.Epochs)
	add("schedules", s.Schedules, o.Schedules)
	add("seeds", s.Seeds, o.Seeds)
	add("targets", s.Targets, o.Targets)
	add("threads", s.Threads, o.Threads)
	return d
}

// RunKey names one run: a schedule (by its index in Study.Schedules) and a
// seed. The seed fixes the initial weights and the data order, so runs of
// different schedules with the same seed differ only by the schedule.
type RunKey struct {
	Schedule int
	Seed     int64
}

// Runs lists the runs of the study in their canonical order: seed-major
// (all schedules of the first seed, then the next seed), so that an
// interrupted study holds complete paired comparisons for the seeds it did.
func (s *Study) Runs() []RunKey {
	var r []RunKey
	for _, sd := range s.Seeds {
		for i := range s.Schedules {
			r = append(r, RunKey{i, sd})
		}
	}
	return r
}

// Shard is part i of n of a study (0 <= I < N); run number k of the
// canonical order belongs to shard k mod N, so shards are disjoint, cover
// the study and get similar amounts of work.
type Shard struct{ I, N int }

// All is the whole study.
var All = Shard{0, 1}

// ParseShard parses "i/n" with 0 <= i < n.
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return Shard{}, fmt.Errorf("shard %q: want i/n with 0 <= i < n (e.g. 0/4 .. 3/4)", s)
	}
	return Shard{i, n}, nil
}

func (sh Shard) String() string { return fmt.Sprintf("%d/%d", sh.I, sh.N) }

// Runs returns the study's runs that belong to sh, in canonical order.
func (sh Shard) Runs(s *Study) []RunKey {
	all := s.Runs()
	var r []RunKey
	for k, key := range all {
		if sh.N <= 1 || k%sh.N == sh.I {
			r = append(r, key)
		}
	}
	return r
}

// ScheduleName is the name part of a SPEC ("exponential" of
// "exponential:lr0=0.01,s=20").
func ScheduleName(spec string) string {
	name, _, _ := strings.Cut(spec, ":")
	return strings.TrimSpace(name)
}

// Labels returns a short unique label per schedule: its name, with "#2",
// "#3" appended when two SPECs share a name.
func (s *Study) Labels() []string {
	count := map[string]int{}
	for _, sc := range s.Schedules {
		count[ScheduleName(sc)]++
	}
	seen := map[string]int{}
	out := make([]string, len(s.Schedules))
	for i, sc := range s.Schedules {
		n := ScheduleName(sc)
		seen[n]++
		if count[n] > 1 {
			n = fmt.Sprintf("%s#%d", n, seen[n])
		}
		out[i] = n
	}
	return out
}

// F is a float64 that JSON encodes NaN and ±Inf as null (a diverged run has
// NaN losses) and decodes null as NaN.
type F float64

func (f F) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

func (f *F) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = F(math.NaN())
		return nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return err
	}
	*f = F(v)
	return nil
}
