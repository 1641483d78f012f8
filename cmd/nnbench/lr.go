package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/nnrt/nnrt/sched"
)

func init() {
	register(command{name: "lr", summary: "print a learning-rate schedule (SPEC) as CSV", run: runLR})
}

// runLR prints the rate (and momentum) a SPEC gives at each step, or for a
// plateau schedule the rate of each epoch of a replayed metric sequence.
func runLR(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("lr", stderr)
	spec := fs.String("schedule", "", "schedule SPEC, name:key=value,... (names: "+strings.Join(sched.Names, ", ")+")")
	steps := fs.Int("steps", 0, "print steps 0..N-1 as step,lr,momentum")
	spe := fs.Int("steps-per-epoch", 0, "optimizer steps per epoch, for per=epoch and epochs= keys (and plateau scale=)")
	metrics := fs.String("metrics", "", "plateau: comma-separated metric values of epochs 0,1,...; prints epoch,lr")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: nnbench lr --schedule SPEC --steps N [--steps-per-epoch K]")
		fmt.Fprintln(stderr, "       nnbench lr --schedule plateau:... --metrics v0,v1,... [--steps-per-epoch K]")
		fmt.Fprintln(stderr, "\nPrints step,lr,momentum for steps 0..N-1 (momentum empty when the schedule")
		fmt.Fprintln(stderr, "leaves it alone); for plateau, epoch,lr: the rate in force during each epoch,")
		fmt.Fprintln(stderr, "epoch 0 at lr0, the metric of epoch e acting from epoch e+1.")
		fmt.Fprintln(stderr, "\n"+sched.SpecHelp+"\n\nflags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *spec == "" {
		return usagef("--schedule SPEC is required")
	}
	if *spe < 0 {
		return usagef("--steps-per-epoch must be >= 0, got %d", *spe)
	}
	s, err := sched.Parse(*spec, sched.Context{StepsPerEpoch: *spe})
	if err != nil {
		return usageError{err}
	}
	w := bufio.NewWriter(stdout)
	if obs, ok := s.(sched.EpochObserver); ok {
		if *metrics == "" {
			return usagef("schedule %q reacts to a metric: give --metrics v0,v1,...", *spec)
		}
		if *steps != 0 {
			return usagef("--steps does not apply to schedule %q: it prints one rate per --metrics value", *spec)
		}
		values, err := parseMetrics(*metrics)
		if err != nil {
			return err
		}
		if p, ok := s.(*sched.Plateau); ok && *spe == 0 {
			if _, scaled := p.Base(); scaled {
				return usagef("schedule %q scales a schedule of steps: give --steps-per-epoch", *spec)
			}
		}
		per := max(*spe, 1) // the rate of epoch e is the rate at its first step
		fmt.Fprintln(w, "epoch,lr")
		for e, v := range values {
			fmt.Fprintf(w, "%d,%s\n", e, fmtNum(s.LR(e*per)))
			obs.ObserveEpoch(e, v)
		}
		return w.Flush()
	}
	if *metrics != "" {
		return usagef("--metrics applies only to plateau schedules, not %q", *spec)
	}
	if *steps <= 0 {
		return usagef("--steps N (N >= 1) is required")
	}
	m, hasMomentum := s.(sched.MomentumSchedule)
	fmt.Fprintln(w, "step,lr,momentum")
	for t := 0; t < *steps; t++ {
		mom := ""
		if hasMomentum {
			mom = fmtNum(m.Momentum(t))
		}
		fmt.Fprintf(w, "%d,%s,%s\n", t, fmtNum(s.LR(t)), mom)
	}
	return w.Flush()
}

func parseMetrics(list string) ([]float64, error) {
	parts := strings.Split(list, ",")
	values := make([]float64, len(parts))
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsInf(v, 0) {
			return nil, usagef("--metrics: value %d %q is not a number", i, p)
		}
		values[i] = v
	}
	return values, nil
}

// fmtNum writes the shortest decimal that reads back as v.
func fmtNum(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
