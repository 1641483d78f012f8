package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"
)

// Trainer trains one run of a study: schedule st.Schedules[k.Schedule]
// from the initial weights and data order fixed by k.Seed, for st.Epochs
// epochs, calling epoch after each one. It returns the run's measured part
// (Status, Epochs, test metrics, Seconds); Execute fills in the rest. A
// run whose training loss turns non-finite is returned with Status
// StatusDiverged and no error; an error aborts the study.
type Trainer interface {
	Train(ctx context.Context, st *Study, k RunKey, epoch func(Epoch)) (*Run, error)
}

// Checker is implemented by a Trainer that can reject a study before any
// training (an unknown optimizer, a schedule SPEC that does not parse).
type Checker interface {
	Check(st *Study) error
}

// Progress receives a study's events; LineProgress renders them.
type Progress interface {
	Start(st *Study, todo, skipped int)
	RunStart(n, of int, label string, seed int64)
	Epoch(e Epoch, epochs int)
	RunEnd(r *Run)
}

// Config is one execution of a study (or of one shard of it).
type Config struct {
	Dir      string
	Study    *Study
	Shard    Shard
	Resume   bool
	Threads  int // recorded in each run
	Trainer  Trainer
	Progress Progress // nil: silent
}

// ErrInterrupted is wrapped by Execute's error when ctx was cancelled.
var ErrInterrupted = errors.New("study interrupted")

// Execute runs the study's runs of cfg.Shard that the output folder does
// not hold yet, appending each to results.jsonl as it finishes, then writes
// the summary, plots and report of every run the folder holds. The folder
// is checked (writable, same protocol when resuming) and the study checked
// by the trainer before any training. When ctx is cancelled it stops after
// the current epoch or run, writes the outputs of what finished and returns
// an error wrapping ErrInterrupted.
func Execute(ctx context.Context, cfg Config) (*Summary, error) {
	st := cfg.Study
	if c, ok := cfg.Trainer.(Checker); ok {
		if err := c.Check(st); err != nil {
			return nil, err
		}
	}
	store, err := OpenStore(cfg.Dir, st, cfg.Shard, cfg.Resume)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	labels := st.Labels()
	var todo []RunKey
	mine := cfg.Shard.Runs(st)
	for _, k := range mine {
		if store.Done(k) == nil {
			todo = append(todo, k)
		}
	}
	prog := cfg.Progress
	if prog == nil {
		prog = nopProgress{}
	}
	prog.Start(st, len(todo), len(mine)-len(todo))
	index := map[RunKey]int{}
	for i, k := range st.Runs() {
		index[k] = i
	}
	var runErr error
	for n, k := range todo {
		if ctx.Err() != nil {
			runErr = fmt.Errorf("%w after %d of %d runs: rerun with --resume to finish it", ErrInterrupted, n, len(todo))
			break
		}
		prog.RunStart(n+1, len(todo), labels[k.Schedule], k.Seed)
		r, err := cfg.Trainer.Train(ctx, st, k, func(e Epoch) { prog.Epoch(e, st.Epochs) })
		if ctx.Err() != nil {
			// A run cut short by the interrupt is not a finished run.
			runErr = fmt.Errorf("%w during %s seed %d: rerun with --resume to finish it", ErrInterrupted, labels[k.Schedule], k.Seed)
			break
		}
		if err != nil {
			runErr = fmt.Errorf("%s seed %d: %w", labels[k.Schedule], k.Seed, err)
			break
		}
		r.Study, r.Index, r.Schedule, r.Seed, r.Threads = st.ID(), index[k], st.Schedules[k.Schedule], k.Seed, cfg.Threads
		if r.Status == "" {
			r.Status = StatusOK
		}
		if err := store.Append(r); err != nil {
			return nil, err
		}
		prog.RunEnd(r)
	}
	s, err := WriteOutputs(cfg.Dir, st, store.Runs())
	if err != nil {
		return nil, err
	}
	return s, runErr
}

type nopProgress struct{}

func (nopProgress) Start(*Study, int, int)           {}
func (nopProgress) RunStart(int, int, string, int64) {}
func (nopProgress) Epoch(Epoch, int)                 {}
func (nopProgress) RunEnd(*Run)                      {}

// LineProgress renders a study's progress as one line: the run, its epoch,
// the latest metrics and the ETA of the whole study, estimated from the
// mean epoch time so far. On a terminal the line is rewritten in place;
// otherwise one line per finished run is written.
type LineProgress struct {
	W        io.Writer
	Terminal bool
	Now      func() time.Time // nil: time.Now

	start                     time.Time
	epochs, totalEpochs, done int
	run, runs                 int
	label                     string
	seed                      int64
}

func (p *LineProgress) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *LineProgress) Start(st *Study, todo, skipped int) {
	p.start = p.now()
	p.epochs, p.totalEpochs = st.Epochs, todo*st.Epochs
	if skipped > 0 {
		fmt.Fprintf(p.W, "resuming: %d runs already finished, %d to go\n", skipped, todo)
	}
}

func (p *LineProgress) RunStart(n, of int, label string, seed int64) {
	p.run, p.runs, p.label, p.seed = n, of, label, seed
}

// eta is the remaining time of the study at the current mean epoch time.
func (p *LineProgress) eta() string {
	if p.done == 0 {
		return "?"
	}
	per := p.now().Sub(p.start) / time.Duration(p.done)
	return (per * time.Duration(p.totalEpochs-p.done)).Round(time.Second).String()
}

func (p *LineProgress) Epoch(e Epoch, epochs int) {
	p.done++
	if !p.Terminal {
		return
	}
	fmt.Fprintf(p.W, "\r\033[K[run %d/%d] %s seed %d  epoch %d/%d  loss %.4f  val_acc %.4f  lr %.3g | study %d%%  ETA %s",
		p.run, p.runs, p.label, p.seed, e.Epoch, epochs, float64(e.Loss), float64(e.ValAccuracy), float64(e.LR),
		100*p.done/max(1, p.totalEpochs), p.eta())
}

func (p *LineProgress) RunEnd(r *Run) {
	// A diverged run stops early: count its missing epochs as done so the
	// ETA stays honest.
	p.done += max(0, p.epochs-len(r.Epochs))
	best := math.NaN()
	for _, e := range r.Epochs {
		if v := float64(e.ValAccuracy); !(v <= best) {
			best = v
		}
	}
	if p.Terminal {
		fmt.Fprint(p.W, "\r\033[K")
	}
	fmt.Fprintf(p.W, "[run %d/%d] %s seed %d: %s, best val_acc %.4f, test_acc %.4f, %.1fs | ETA %s\n",
		p.run, p.runs, p.label, p.seed, r.Status, best, float64(r.TestAccuracy), float64(r.Seconds), p.eta())
}

// Table renders the results table printed at the end of a study.
func Table(s *Summary) string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 2, 4, 2, ' ', 0)
	fmt.Fprint(w, "schedule\tverdict")
	for _, t := range s.Study.Targets {
		fmt.Fprintf(w, "\tepochs to %s (reached)\tΔ vs %s [95%% CI]\tP(fewer)", fmtPct(t), s.Baseline)
	}
	fmt.Fprint(w, "\tbest val_acc\ttest_acc\tdiverged\n")
	for _, ss := range s.Schedules {
		fmt.Fprintf(w, "%s\t%s", ss.Label, ss.Verdict)
		for _, t := range s.Study.Targets {
			m := ss.Metric("epochs_to_target", t)
			fmt.Fprintf(w, "\t%s (%d/%d)", fmtEpochs(float64(m.Median)), m.Reached, m.N)
			if c := m.VsBaseline; c != nil && c.Pairs > 0 {
				fmt.Fprintf(w, "\t%+.2f [%+.2f, %+.2f]\t%.2f", float64(c.MeanDiff), float64(c.CILow), float64(c.CIHigh), float64(c.PBetter))
			} else {
				fmt.Fprint(w, "\t-\t-")
			}
		}
		bv, ta := ss.Metric("best_val_accuracy", 0), ss.Metric("test_accuracy", 0)
		fmt.Fprintf(w, "\t%.4f\t%.4f\t%d\n", float64(bv.Median), float64(ta.Median), ss.Diverged)
	}
	w.Flush()
	if !s.Complete {
		fmt.Fprintf(&b, "incomplete: %d of %d runs\n", s.Runs, s.Expected)
	}
	return b.String()
}
