package bench

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/nnrt/nnrt/bench/dataset"
)

// cancelling wraps a trainer and cancels the study during its n-th run,
// as Ctrl-C would.
type cancelling struct {
	Trainer
	n      int64
	calls  atomic.Int64
	cancel context.CancelFunc
}

func (c *cancelling) Train(ctx context.Context, st *Study, k RunKey, epoch func(Epoch)) (*Run, error) {
	if c.calls.Add(1) == c.n {
		c.cancel()
	}
	return c.Trainer.Train(ctx, st, k, epoch)
}

func timelessRuns(t *testing.T, dir string) []string {
	t.Helper()
	_, runs, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range runs {
		b, _ := json.Marshal(r.Result())
		out = append(out, string(b))
	}
	return out
}

// timelessSummary reads summary.json or summary.csv of dir without the
// seconds_to_target metric, the one measured in wall time.
func timelessSummary(t *testing.T, dir, file string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	if file == SummaryCSV {
		var keep []string
		for _, l := range strings.Split(string(b), "\n") {
			if !strings.Contains(l, ",seconds_to_target,") {
				keep = append(keep, l)
			}
		}
		return strings.Join(keep, "\n")
	}
	var s Summary
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	for _, ss := range s.Schedules {
		var keep []*Metric
		for _, m := range ss.Metrics {
			if m.Name != "seconds_to_target" {
				keep = append(keep, m)
			}
		}
		ss.Metrics = keep
	}
	return string(mustJSON(s))
}

// TestNNResume interrupts a real study on a slice of the embedded subset
// and resumes it: the results equal an uninterrupted study's (wall times
// aside), because a seed fixes the weights and the data order.
func TestNNResume(t *testing.T) {
	d, err := dataset.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	d.Train = d.Train.Head(200)
	st := &Study{Version: FormatVersion, Data: DataInfoOf(d), Model: BookModelText, Optimizer: "sgd", Batch: 32, Epochs: 2,
		Schedules: []string{"constant:lr0=0.01", "exponential:lr0=0.01,s=1e12"}, Seeds: []int64{1, 2}, Targets: []float64{0.5}, Threads: 1}
	root := t.TempDir()
	full, part := filepath.Join(root, "full"), filepath.Join(root, "part")
	if _, err := Execute(context.Background(), Config{Dir: full, Study: st, Trainer: &NNTrainer{Data: d}}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := Execute(ctx, Config{Dir: part, Study: st, Trainer: &cancelling{Trainer: &NNTrainer{Data: d}, n: 3, cancel: cancel}}); !errors.Is(err, ErrInterrupted) {
		t.Fatalf("interrupted: %v", err)
	}
	if n := len(timelessRuns(t, part)); n != 2 {
		t.Fatalf("%d runs kept after an interrupt in the third, want 2", n)
	}
	// Resumed with another --jobs: the same study, the remaining two runs
	// trained at once.
	c := &cancelling{Trainer: &NNTrainer{Data: d}}
	if _, err := Execute(context.Background(), Config{Dir: part, Study: st, Resume: true, Jobs: 2, Trainer: c}); err != nil {
		t.Fatal(err)
	}
	if c.calls.Load() != 2 {
		t.Errorf("resume trained %d runs, want 2", c.calls.Load())
	}
	a, b := timelessRuns(t, full), timelessRuns(t, part)
	for i := range a {
		if a[i] != b[i] {
			t.Errorf("run %d differs after resume:\n%s\n%s", i, a[i], b[i])
		}
	}
	// The whole study with three runs at once equals it too, summary
	// included, whatever order the runs finished in.
	conc := filepath.Join(root, "jobs3")
	if _, err := Execute(context.Background(), Config{Dir: conc, Study: st, Jobs: 3, Trainer: &NNTrainer{Data: d}}); err != nil {
		t.Fatal(err)
	}
	if a, b := timelessRuns(t, full), timelessRuns(t, conc); strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Errorf("--jobs 3 runs differ from --jobs 1:\n%s\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
	for _, f := range []string{SummaryJSON, SummaryCSV} {
		if a, b := timelessSummary(t, full, f), timelessSummary(t, conc, f); a != b {
			t.Errorf("%s with --jobs 3 differs from --jobs 1:\n%s\n%s", f, a, b)
		}
	}
	// Everything but the schedule is held fixed per seed: an exponential
	// decay too slow to change the float32 rate (relative change < 1e-8
	// over these steps) trains exactly as the constant rate does.
	_, runs, _ := Load(full)
	for i := 0; i < len(runs); i += 2 {
		c, e := runs[i], runs[i+1]
		if c.Seed != e.Seed || len(c.Epochs) != len(e.Epochs) {
			t.Fatalf("runs %d and %d are not a pair", i, i+1)
		}
		for j := range c.Epochs {
			x, y := c.Epochs[j], e.Epochs[j]
			if x.Loss != y.Loss || x.ValLoss != y.ValLoss || x.ValAccuracy != y.ValAccuracy {
				t.Errorf("seed %d epoch %d: constant %+v, near-constant exponential %+v", c.Seed, j+1, x, y)
			}
		}
	}
	if runs[0].Epochs[1].Loss == runs[2].Epochs[1].Loss {
		t.Error("seeds 1 and 2 trained identically")
	}
}

func TestNewOptimizerSpec(t *testing.T) {
	o, err := NewOptimizer("sgd:momentum=0.9,nesterov=true,clipnorm=1", nil)
	if err != nil || o.Momentum != 0.9 || !o.Nesterov || o.Clip.Norm != 1 || o.Kind != "sgd" {
		t.Fatalf("%+v %v", o, err)
	}
	if o, err := NewOptimizer("nadam:beta_1=0.8", nil); err != nil || o.Beta1 != 0.8 {
		t.Fatalf("nadam: %v", err)
	}
	for _, bad := range []string{"adagrad", "sgd:beta_1=0.9", "adam:momentum=0.9", "sgd:momentum", "sgd:momentum=-1", "sgd:nesterov=maybe", "sgd:lr=0.1"} {
		if _, err := NewOptimizer(bad, nil); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
