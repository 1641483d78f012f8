package sched

import (
	"math"
	"strconv"
	"strings"
)

// PlateauRules selects whose reduce-on-plateau rules a Plateau follows.
type PlateauRules int

const (
	// KerasRules: keras.callbacks.ReduceLROnPlateau (the book's).
	KerasRules PlateauRules = iota
	// TorchRules: torch.optim.lr_scheduler.ReduceLROnPlateau.
	TorchRules
)

func (r PlateauRules) String() string {
	if r == TorchRules {
		return "torch"
	}
	return "keras"
}

// PlateauConfig configures a Plateau. Start from KerasPlateau() or
// TorchPlateau(), which hold each library's defaults.
type PlateauConfig struct {
	Monitor  string       // metric name, e.g. "val_loss" (nn feeds this one)
	Mode     string       // "min", "max" or "auto" (max if Monitor contains "acc", else min, as Keras)
	Rules    PlateauRules // whose rules
	Factor   float64      // new rate = rate*Factor, in (0, 1)
	Patience int          // epochs without improvement tolerated, >= 0
	Cooldown int          // epochs after a reduction during which bad epochs are not counted, >= 0
	MinLR    float64      // lower bound on the rate, >= 0

	MinDelta float64 // KerasRules: absolute improvement needed, >= 0

	Threshold     float64 // TorchRules: improvement needed, >= 0
	ThresholdMode string  // TorchRules: "rel" (best*(1∓Threshold)) or "abs" (best∓Threshold)
	Eps           float64 // TorchRules: reductions of at most Eps are skipped
}

// KerasPlateau returns Keras's ReduceLROnPlateau defaults: monitor val_loss,
// mode auto, factor 0.1, patience 10, min_delta 1e-4 (absolute), cooldown 0,
// min_lr 0. The book (NB cell 139) uses factor 0.5, patience 5.
func KerasPlateau() PlateauConfig {
	return PlateauConfig{Monitor: "val_loss", Mode: "auto", Rules: KerasRules, Factor: 0.1, Patience: 10, MinDelta: 1e-4}
}

// TorchPlateau returns PyTorch's ReduceLROnPlateau defaults: mode min, factor
// 0.1, patience 10, threshold 1e-4 rel, cooldown 0, min_lr 0, eps 1e-8
// (monitor val_loss, which PyTorch leaves to the caller).
func TorchPlateau() PlateauConfig {
	return PlateauConfig{Monitor: "val_loss", Mode: "min", Rules: TorchRules, Factor: 0.1, Patience: 10,
		Threshold: 1e-4, ThresholdMode: "rel", Eps: 1e-8}
}

// Plateau is performance scheduling: reduce the rate on a plateau of the
// monitored metric, a state machine fed one value per epoch (ObserveEpoch).
// Epoch 0 runs at the base rate; the value of epoch e can change the rate
// from epoch e+1 on.
//
// KerasRules (keras/src/callbacks/reduce_lr_on_plateau.py), per value v:
//
//	if cooldownCounter > 0 { cooldownCounter--; wait = 0 }
//	if better(v, best) { best = v; wait = 0 }       // min: v < best-MinDelta; max: v > best+MinDelta
//	else if cooldownCounter == 0 {
//	    wait++
//	    if wait >= Patience && float32(lr) > float32(MinLR) {
//	        lr = max(lr*Factor, MinLR); cooldownCounter = Cooldown; wait = 0
//	    }
//	}
//
// TorchRules (torch/optim/lr_scheduler.py), per value v:
//
//	if better(v, best) { best = v; bad = 0 } else { bad++ }  // rel min: v < best*(1-Threshold); abs min: v < best-Threshold
//	if cooldownCounter > 0 { cooldownCounter--; bad = 0 }
//	if bad > Patience {
//	    if lr - max(lr*Factor, MinLR) > Eps { lr = max(lr*Factor, MinLR) }
//	    cooldownCounter = Cooldown; bad = 0
//	}
//
// best starts at +Inf (min) or -Inf (max); a NaN value never improves. So with
// the same patience PyTorch reduces one epoch later than Keras (bad >
// Patience vs wait >= Patience), and Keras's cooldown c pauses the count for
// c-1 epochs after a reduction where PyTorch's pauses it for c (Keras
// decrements before testing). Keras compares the float32 rate with
// float32(min_lr) because its rate is a float32 variable.
//
// Keras raises TypeError when the optimizer's rate is a LearningRateSchedule;
// likewise NewPlateau refuses a base schedule that is not Constant unless
// asked to scale it: then the state machine acts on a multiplier m (from 1)
// and LR(step) = base.LR(step)*m.
type Plateau struct {
	cfg      PlateauConfig
	base     Schedule
	scale    bool
	maximize bool
	level    float64 // the rate, or the multiplier when scaling
	best     float64
	wait     int // Keras wait / PyTorch num_bad_epochs
	cooldown int // cooldown counter
}

// NewPlateau returns a Plateau starting at base. A base that is not a
// Constant is an error unless scale is true; then the rate is base.LR(step)
// times the product of the reductions so far, cfg.MinLR must be 0 (the
// floor would depend on the step) and TorchRules' Eps applies to the
// multiplier.
func NewPlateau(base Schedule, cfg PlateauConfig, scale bool) (*Plateau, error) {
	const n = "plateau"
	if base == nil {
		return nil, &Error{Name: n, Key: "lr0", Msg: "missing base rate"}
	}
	if _, ok := base.(EpochObserver); ok {
		return nil, &Error{Name: n, Key: "scale", Value: Spec(base), Msg: "cannot scale a schedule that observes epochs itself"}
	}
	c, isConst := base.(Constant)
	switch {
	case isConst && !scale:
		if err := c.Validate(); err != nil {
			e := err.(*Error)
			e.Name = n
			return nil, e
		}
	case !scale:
		return nil, &Error{Name: n, Key: "lr0", Value: Spec(base),
			Msg: "reduce-on-plateau cannot set the rate of a non-constant schedule (Keras raises TypeError); ask it to scale the schedule"}
	case cfg.MinLR != 0:
		return nil, &Error{Name: n, Key: "min_lr", Value: fmtFloat(cfg.MinLR), Msg: "min_lr must be 0 when scaling a schedule"}
	}
	if !(cfg.Factor > 0 && cfg.Factor < 1) {
		return nil, &Error{Name: n, Key: "factor", Value: fmtFloat(cfg.Factor), Msg: "factor must be in (0, 1): it must reduce the rate"}
	}
	if cfg.Patience < 0 {
		return nil, &Error{Name: n, Key: "patience", Value: strconv.Itoa(cfg.Patience), Msg: "patience must be >= 0"}
	}
	if cfg.Cooldown < 0 {
		return nil, &Error{Name: n, Key: "cooldown", Value: strconv.Itoa(cfg.Cooldown), Msg: "cooldown must be >= 0"}
	}
	if err := firstErr(nonNegative(n, "min_lr", cfg.MinLR), nonNegative(n, "min_delta", cfg.MinDelta),
		nonNegative(n, "threshold", cfg.Threshold), nonNegative(n, "eps", cfg.Eps)); err != nil {
		return nil, err
	}
	if cfg.Monitor == "" || strings.ContainsAny(cfg.Monitor, ",=()| ") {
		return nil, &Error{Name: n, Key: "monitor", Value: cfg.Monitor, Msg: "monitor must be a metric name such as val_loss"}
	}
	p := &Plateau{cfg: cfg, base: base, scale: scale, level: 1}
	switch cfg.Mode {
	case "min":
	case "max":
		p.maximize = true
	case "auto":
		p.maximize = strings.Contains(cfg.Monitor, "acc")
	default:
		return nil, &Error{Name: n, Key: "mode", Value: cfg.Mode, Msg: "mode must be min, max or auto"}
	}
	switch {
	case cfg.Rules != KerasRules && cfg.Rules != TorchRules:
		return nil, &Error{Name: n, Key: "rules", Value: strconv.Itoa(int(cfg.Rules)), Msg: "rules must be keras or torch"}
	case cfg.Rules == TorchRules && cfg.ThresholdMode != "rel" && cfg.ThresholdMode != "abs":
		return nil, &Error{Name: n, Key: "threshold_mode", Value: cfg.ThresholdMode, Msg: "threshold_mode must be rel or abs"}
	}
	if !scale {
		p.level = float64(c)
	}
	p.best = math.Inf(1)
	if p.maximize {
		p.best = math.Inf(-1)
	}
	return p, nil
}

// LR returns the rate in force: the base rate reduced by the reductions so far.
func (p *Plateau) LR(step int) float64 {
	if p.scale {
		return p.base.LR(step) * p.level
	}
	return p.level
}

// Base returns the schedule the plateau starts from and whether it scales it
// (else base is the Constant starting rate).
func (p *Plateau) Base() (base Schedule, scaled bool) { return p.base, p.scale }

// Monitor returns the name of the metric ObserveEpoch expects.
func (p *Plateau) Monitor() string { return p.cfg.Monitor }

// Config returns the configuration.
func (p *Plateau) Config() PlateauConfig { return p.cfg }

// better reports whether v improves on the best value so far.
func (p *Plateau) better(v float64) bool {
	c := p.cfg
	if c.Rules == KerasRules {
		if p.maximize {
			return v > p.best+c.MinDelta
		}
		return v < p.best-c.MinDelta
	}
	switch {
	case !p.maximize && c.ThresholdMode == "rel":
		return v < p.best*(1-c.Threshold)
	case !p.maximize:
		return v < p.best-c.Threshold
	case c.ThresholdMode == "rel":
		return v > p.best*(c.Threshold+1)
	}
	return v > p.best+c.Threshold
}

// ObserveEpoch feeds the monitored value of epoch (from 0); the rate it sets
// applies from epoch+1 on. See Plateau for the rules.
func (p *Plateau) ObserveEpoch(epoch int, value float64) {
	c := p.cfg
	if c.Rules == KerasRules {
		if p.cooldown > 0 {
			p.cooldown--
			p.wait = 0
		}
		if p.better(value) {
			p.best, p.wait = value, 0
			return
		}
		if p.cooldown > 0 {
			return
		}
		p.wait++
		if p.wait >= c.Patience && float32(p.level) > float32(c.MinLR) {
			p.level = math.Max(p.level*c.Factor, c.MinLR)
			p.cooldown, p.wait = c.Cooldown, 0
		}
		return
	}
	if p.better(value) {
		p.best, p.wait = value, 0
	} else {
		p.wait++
	}
	if p.cooldown > 0 {
		p.cooldown--
		p.wait = 0
	}
	if p.wait > c.Patience {
		if next := math.Max(p.level*c.Factor, c.MinLR); p.level-next > c.Eps {
			p.level = next
		}
		p.cooldown, p.wait = c.Cooldown, 0
	}
}

// String returns the SPEC (state not included): "plateau:lr0=..,monitor=..,
// rules=..,mode=..,factor=..,patience=..,cooldown=..,min_lr=..," then
// min_delta=.. (keras) or threshold=..,threshold_mode=..,eps=.. (torch); a
// scaled schedule is written scale=(SPEC) in place of lr0.
func (p *Plateau) String() string {
	c := p.cfg
	var base string
	if p.scale {
		base = "scale=(" + Spec(p.base) + ")"
	} else {
		base = "lr0=" + fmtFloat(float64(p.base.(Constant)))
	}
	s := "plateau:" + base + "," + kv("monitor", c.Monitor, "rules", c.Rules.String(), "mode", c.Mode,
		"factor", fmtFloat(c.Factor), "patience", strconv.Itoa(c.Patience), "cooldown", strconv.Itoa(c.Cooldown),
		"min_lr", fmtFloat(c.MinLR))
	if c.Rules == KerasRules {
		return s + "," + kv("min_delta", fmtFloat(c.MinDelta))
	}
	return s + "," + kv("threshold", fmtFloat(c.Threshold), "threshold_mode", c.ThresholdMode, "eps", fmtFloat(c.Eps))
}
