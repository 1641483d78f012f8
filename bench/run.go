package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/nnrt/nnrt/runtime"
)

// Trainer trains one run of a study: schedule st.Schedules[k.Schedule]
// from the initial weights and data order fixed by k.Seed, for st.Epochs
// epochs, calling epoch after each one. It returns the run's measured part
// (Status, Epochs, test metrics, Seconds); Execute fills in the rest. A
// run whose training loss turns non-finite is returned with Status
// StatusDiverged and no error; an error aborts the study. Execute calls
// Train from Config.Jobs goroutines at once, so a Trainer must allow
// concurrent calls, each with its own model.
type Trainer interface {
	Train(ctx context.Context, st *Study, k RunKey, epoch func(Epoch)) (*Run, error)
}

// Checker is implemented by a Trainer that can reject a study before any
// training (an unknown optimizer, a schedule SPEC that does not parse).
type Checker interface {
	Check(st *Study) error
}

// Progress receives a study's events; LineProgress renders them. Execute
// calls its methods one at a time (never concurrently), in the order
// events happen across the runs in flight.
type Progress interface {
	// Start opens the study: todo runs to train, skipped already finished,
	// at most jobs at once.
	Start(st *Study, todo, skipped, jobs int)
	RunStart(k RunKey, label string)
	Epoch(k RunKey, e Epoch)
	// RunEnd closes run k: r is the finished run, or nil for a run
	// abandoned unfinished (interrupt, or another run's error).
	RunEnd(k RunKey, r *Run)
}

// Config is one execution of a study (or of one shard of it).
type Config struct {
	Dir    string
	Study  *Study
	Shard  Shard // zero value: the whole study
	Resume bool
	// Jobs is how many runs train at once, each with its own model and
	// Study.Threads kernel threads (< 1: one). It changes only speed: a
	// run's results depend on its protocol, schedule and seed alone.
	Jobs     int
	Trainer  Trainer
	Progress Progress // nil: silent
}

// ErrInterrupted is wrapped by Execute's error when ctx was cancelled.
var ErrInterrupted = errors.New("study interrupted")

// Execute runs the study's runs of cfg.Shard that the output folder does
// not hold yet, cfg.Jobs at a time in canonical order, appending each to
// results.jsonl as it finishes (so lines may come in any order), then
// writes the summary, plots and report of every run the folder holds,
// which sort runs by their index in the study and so do not depend on the
// finish order. It sets the process-wide kernel thread count
// (runtime.SetThreads) to Study.Threads for its duration, one count for
// every concurrent run, and restores it on return. The folder is checked
// (writable, same protocol when resuming) and the study checked by the
// trainer before any training. When ctx is cancelled the runs in flight
// stop after their current epoch and are not recorded; Execute writes the
// outputs of what finished and returns an error wrapping ErrInterrupted.
// A trainer or store error cancels the runs in flight the same way.
func Execute(ctx context.Context, cfg Config) (*Summary, error) {
	st := cfg.Study
	if err := st.Validate(); err != nil {
		return nil, err
	}
	if c, ok := cfg.Trainer.(Checker); ok {
		if err := c.Check(st); err != nil {
			return nil, err
		}
	}
	if cfg.Shard.N < 1 {
		cfg.Shard = All
	}
	store, err := OpenStore(cfg.Dir, st, cfg.Shard, cfg.Resume)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	defer runtime.SetThreads(runtime.SetThreads(st.Threads))
	labels := st.Labels()
	var todo []RunKey
	mine := cfg.Shard.Runs(st)
	for _, k := range mine {
		if store.Done(k) == nil {
			todo = append(todo, k)
		}
	}
	jobs := max(1, cfg.Jobs)
	prog := cfg.Progress
	if prog == nil {
		prog = nopProgress{}
	}
	prog.Start(st, len(todo), len(mine)-len(todo), jobs)
	index := map[RunKey]int{}
	for i, k := range st.Runs() {
		index[k] = i
	}
	id := st.ID()

	// runCtx stops the runs in flight on an interrupt or on a failure.
	runCtx, stopRuns := context.WithCancel(ctx)
	defer stopRuns()
	var (
		mu       sync.Mutex // guards next, finished, failure, store and prog
		next     int
		finished int
		failure  error
		wg       sync.WaitGroup
	)
	worker := func() {
		defer wg.Done()
		for {
			mu.Lock()
			if next == len(todo) || runCtx.Err() != nil {
				mu.Unlock()
				return
			}
			k := todo[next]
			next++
			prog.RunStart(k, labels[k.Schedule])
			mu.Unlock()

			r, err := cfg.Trainer.Train(runCtx, st, k, func(e Epoch) {
				mu.Lock()
				prog.Epoch(k, e)
				mu.Unlock()
			})

			mu.Lock()
			switch {
			case runCtx.Err() != nil:
				// Cut short by the interrupt or another run's failure: not
				// a finished run.
				r = nil
			case err != nil:
				failure = fmt.Errorf("%s seed %d: %w", labels[k.Schedule], k.Seed, err)
				r = nil
			default:
				r.Study, r.Index, r.Schedule, r.Seed = id, index[k], st.Schedules[k.Schedule], k.Seed
				r.Threads, r.Jobs = st.Threads, jobs
				if r.Status == "" {
					r.Status = StatusOK
				}
				if err := store.Append(r); err != nil {
					failure = err
					r = nil
				} else {
					finished++
				}
			}
			if failure != nil {
				stopRuns()
			}
			prog.RunEnd(k, r)
			mu.Unlock()
		}
	}
	for range min(jobs, len(todo)) {
		wg.Add(1)
		go worker()
	}
	wg.Wait()

	var runErr error
	switch {
	case failure != nil:
		runErr = failure
	case ctx.Err() != nil && finished < len(todo):
		runErr = fmt.Errorf("%w after %d of %d runs: rerun with --resume to finish it", ErrInterrupted, finished, len(todo))
	}
	s, err := WriteOutputs(cfg.Dir, st, store.Runs())
	if err != nil {
		return nil, err
	}
	return s, runErr
}

type nopProgress struct{}

func (nopProgress) Start(*Study, int, int, int) {}
func (nopProgress) RunStart(RunKey, string)     {}
func (nopProgress) Epoch(RunKey, Epoch)         {}
func (nopProgress) RunEnd(RunKey, *Run)         {}

// LineProgress renders a study's progress. On a terminal it keeps a block
// at the bottom, rewritten in place: one line per run in flight (schedule,
// seed, epoch, latest metrics) and a last line with the study's share done
// and its ETA, estimated from the epochs finished so far per second of
// wall time (so it accounts for runs training at once). Finished runs are
// written above the block as lines of their own; off a terminal only those
// lines are written.
type LineProgress struct {
	W        io.Writer
	Terminal bool
	Now      func() time.Time // nil: time.Now

	start                     time.Time
	epochs, totalEpochs, done int
	finished, runs, jobs      int
	active                    []*activeRun // in start order
	drawn                     int          // lines of the block on screen
}

type activeRun struct {
	key   RunKey
	label string
	last  *Epoch
}

func (p *LineProgress) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *LineProgress) Start(st *Study, todo, skipped, jobs int) {
	p.start = p.now()
	p.epochs, p.totalEpochs, p.runs, p.jobs = st.Epochs, todo*st.Epochs, todo, jobs
	if skipped > 0 {
		fmt.Fprintf(p.W, "resuming: %d runs already finished, %d to go\n", skipped, todo)
	}
}

func (p *LineProgress) RunStart(k RunKey, label string) {
	p.active = append(p.active, &activeRun{key: k, label: label})
	p.draw()
}

// eta is the remaining time of the study at the rate of epochs so far.
func (p *LineProgress) eta() string {
	if p.done == 0 {
		return "?"
	}
	per := p.now().Sub(p.start) / time.Duration(p.done)
	return (per * time.Duration(max(0, p.totalEpochs-p.done))).Round(time.Second).String()
}

func (p *LineProgress) Epoch(k RunKey, e Epoch) {
	p.done++
	for _, a := range p.active {
		if a.key == k {
			a.last = &e
		}
	}
	p.draw()
}

// clear erases the block drawn last.
func (p *LineProgress) clear() {
	if p.drawn == 0 {
		return
	}
	fmt.Fprint(p.W, "\r")
	if p.drawn > 1 {
		fmt.Fprintf(p.W, "\033[%dA", p.drawn-1)
	}
	fmt.Fprint(p.W, "\033[J")
	p.drawn = 0
}

// draw rewrites the block: a line per run in flight, then the study line
// (the cursor stays at its end).
func (p *LineProgress) draw() {
	if !p.Terminal {
		return
	}
	p.clear()
	for _, a := range p.active {
		fmt.Fprintf(p.W, "  %s seed %d", a.label, a.key.Seed)
		if e := a.last; e != nil {
			fmt.Fprintf(p.W, "  epoch %d/%d  loss %.4f  val_acc %.4f  lr %.3g", e.Epoch, p.epochs, float64(e.Loss), float64(e.ValAccuracy), float64(e.LR))
		} else {
			fmt.Fprint(p.W, "  starting")
		}
		fmt.Fprintln(p.W)
		p.drawn++
	}
	fmt.Fprintf(p.W, "study %d%%: %d/%d runs done, %d running (jobs %d)  ETA %s",
		100*p.done/max(1, p.totalEpochs), p.finished, p.runs, len(p.active), p.jobs, p.eta())
	p.drawn++
}

func (p *LineProgress) RunEnd(k RunKey, r *Run) {
	var label string
	for i, a := range p.active {
		if a.key == k {
			label = a.label
			p.active = append(p.active[:i], p.active[i+1:]...)
			break
		}
	}
	if r == nil {
		p.draw()
		return
	}
	p.finished++
	// A diverged run stops early: count its missing epochs as done so the
	// ETA stays honest.
	p.done += max(0, p.epochs-len(r.Epochs))
	best := math.NaN()
	for _, e := range r.Epochs {
		if v := float64(e.ValAccuracy); !(v <= best) {
			best = v
		}
	}
	p.clear()
	fmt.Fprintf(p.W, "[run %d/%d] %s seed %d: %s, best val_acc %.4f, test_acc %.4f, %.1fs | ETA %s\n",
		p.finished, p.runs, label, k.Seed, r.Status, best, float64(r.TestAccuracy), float64(r.Seconds), p.eta())
	p.draw()
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
