package reg

import (
	"fmt"
	"math"
	"strings"
)

// Mode is the direction in which a monitored quantity improves.
type Mode int

const (
	Auto Mode = iota // min for names ending in "loss", max for names containing "acc"
	Min
	Max
)

// ParseMode parses "auto", "min" or "max".
func ParseMode(s string) (Mode, error) {
	switch s {
	case "", "auto":
		return Auto, nil
	case "min":
		return Min, nil
	case "max":
		return Max, nil
	}
	return Auto, fmt.Errorf("reg: mode must be auto, min or max, got %q", s)
}

// Resolve turns Auto into Min or Max for the metric name as Keras 3 does:
// losses are minimized, accuracies maximized; any other name is an error
// (Keras raises because the metric has no direction).
func (m Mode) Resolve(monitor string) (Mode, error) {
	if m != Auto {
		return m, nil
	}
	switch {
	case strings.HasSuffix(monitor, "loss"):
		return Min, nil
	case strings.Contains(monitor, "acc"):
		return Max, nil
	}
	return Auto, fmt.Errorf("reg: mode auto cannot tell whether %q should go up or down; set min or max", monitor)
}

// Improves is Keras's _is_improvement: in Min mode current < reference -
// |minDelta|, in Max mode current > reference + |minDelta|. A NaN current
// never improves.
func Improves(mode Mode, current, reference, minDelta float64) bool {
	d := math.Abs(minDelta)
	if mode == Max {
		return current-d > reference
	}
	return current+d < reference
}

// EarlyStoppingConfig holds Keras 3's EarlyStopping arguments (verbose aside).
type EarlyStoppingConfig struct {
	Monitor        string   // default "val_loss"
	MinDelta       float64  // stored as |MinDelta|
	Patience       int      // epochs without improvement before stopping
	Mode           Mode     // Auto resolves from Monitor
	Baseline       *float64 // nil: none
	RestoreBest    bool     // restore_best_weights
	StartFromEpoch int      // epochs before this one are ignored
}

// EarlyStopping is Keras 3's EarlyStopping as a pure state machine: the
// caller feeds it the monitored value after each epoch and acts on the
// Decision (snapshot the weights, stop), and at the end of training asks
// whether to restore the snapshot.
type EarlyStopping struct {
	cfg  EarlyStoppingConfig
	mode Mode

	best        float64
	hasBest     bool
	wait        int
	bestEpoch   int
	haveWeights bool
	stopped     int // epoch at which it stopped, -1 if not
}

// Decision is what EarlyStopping asks of its caller after an epoch.
type Decision struct {
	Counted  bool // the epoch was counted (value present, epoch >= StartFromEpoch)
	Improved bool // the value beat the best so far
	Snapshot bool // save the current weights as the best ones (RestoreBest only)
	Stop     bool // stop training
}

// NewEarlyStopping validates cfg and returns a machine in its initial state.
func NewEarlyStopping(cfg EarlyStoppingConfig) (*EarlyStopping, error) {
	if cfg.Monitor == "" {
		cfg.Monitor = "val_loss"
	}
	if cfg.Patience < 0 {
		return nil, fmt.Errorf("reg: early stopping patience must be >= 0, got %d", cfg.Patience)
	}
	if cfg.StartFromEpoch < 0 {
		return nil, fmt.Errorf("reg: early stopping start_from_epoch must be >= 0, got %d", cfg.StartFromEpoch)
	}
	mode, err := cfg.Mode.Resolve(cfg.Monitor)
	if err != nil {
		return nil, err
	}
	cfg.MinDelta = math.Abs(cfg.MinDelta)
	e := &EarlyStopping{cfg: cfg, mode: mode}
	e.Reset()
	return e, nil
}

// Config returns the configuration (Monitor filled in, MinDelta made positive).
func (e *EarlyStopping) Config() EarlyStoppingConfig { return e.cfg }

// Reset returns the machine to its state before training (on_train_begin).
func (e *EarlyStopping) Reset() {
	e.best, e.hasBest, e.wait, e.bestEpoch, e.haveWeights, e.stopped = 0, false, 0, 0, false, -1
}

// Observe applies Keras's on_epoch_end rules to the value of the monitored
// quantity at the end of epoch (0-based); ok=false means the value is
// missing (Keras then does nothing).
//
//  1. Missing value or epoch < StartFromEpoch: nothing.
//  2. With RestoreBest, the first counted epoch snapshots the weights.
//  3. wait++.
//  4. Improvement over the best (the first counted value always improves):
//     best = value, snapshot the weights (RestoreBest), and wait = 0 only
//     if there is no baseline or the value also beats it.
//  5. Otherwise stop when wait >= Patience and epoch > 0.
func (e *EarlyStopping) Observe(epoch int, value float64, ok bool) Decision {
	var d Decision
	if !ok || epoch < e.cfg.StartFromEpoch {
		return d
	}
	d.Counted = true
	if e.cfg.RestoreBest && !e.haveWeights {
		d.Snapshot, e.haveWeights, e.bestEpoch = true, true, epoch
	}
	e.wait++
	if !e.hasBest || Improves(e.mode, value, e.best, e.cfg.MinDelta) {
		e.best, e.hasBest, e.bestEpoch = value, true, epoch
		d.Improved = true
		if e.cfg.RestoreBest {
			d.Snapshot = true
		}
		if e.cfg.Baseline == nil || Improves(e.mode, value, *e.cfg.Baseline, e.cfg.MinDelta) {
			e.wait = 0
		}
		return d
	}
	if e.wait >= e.cfg.Patience && epoch > 0 {
		e.stopped = epoch
		d.Stop = true
	}
	return d
}

// Restore reports whether the caller should put the snapshot back at the end
// of training: Keras 3 restores whenever RestoreBest is set and a snapshot
// was taken, whether or not training stopped early.
func (e *EarlyStopping) Restore() bool { return e.cfg.RestoreBest && e.haveWeights }

// Best returns the best value seen and the epoch it was seen at.
func (e *EarlyStopping) Best() (value float64, epoch int, ok bool) {
	return e.best, e.bestEpoch, e.hasBest
}

// Wait is the number of counted epochs since the last reset of the counter.
func (e *EarlyStopping) Wait() int { return e.wait }

// StoppedEpoch is the epoch at which Observe said stop, or -1.
func (e *EarlyStopping) StoppedEpoch() int { return e.stopped }
