package sched

import (
	"math"
	"strconv"
	"strings"
)

// Error is a SPEC or parameter error. It names the schedule, the offending
// key (empty when the name itself is wrong) and the value.
type Error struct {
	Spec  string // the SPEC as given to Parse; empty for Validate
	Name  string // schedule name
	Key   string // offending key, if any
	Value string // offending value, if any
	Msg   string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("sched: ")
	switch {
	case e.Spec != "":
		b.WriteString("schedule " + strconv.Quote(e.Spec) + ": ")
	case e.Name != "":
		b.WriteString(e.Name + ": ")
	}
	switch {
	case e.Key != "" && e.Value != "":
		b.WriteString(e.Key + "=" + e.Value + ": ")
	case e.Key != "":
		b.WriteString(e.Key + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Names lists the schedule names Parse accepts.
var Names = []string{"constant", "power", "exponential", "piecewise", "plateau", "onecycle", "onecycle-cos"}

// SpecHelp describes the SPEC syntax, the keys of each schedule and their
// defaults; Parse reads it and nnbench prints it.
const SpecHelp = `SPEC = name or name:key=value,key=value,... (spaces ignored; each key once;
lists separated by |; a nested SPEC in parentheses). Keys, * = required:
  constant      lr0*
  power         lr0*, s*, c=1, per                  lr0/(1+t/s)^c
  exponential   lr0*, s*, rate=0.1, staircase=false, per    lr0*rate^(t/s)
  piecewise     boundaries* (b0|b1|..), values* (v0|v1|..), per
                values[i] for b[i-1] < t <= b[i] (Keras, inclusive on the right)
  plateau       lr0* or scale=(SPEC), monitor=val_loss, rules=keras|torch,
                mode=auto|min|max, factor=0.1, patience=10, cooldown=0, min_lr=0;
                rules=keras: min_delta=1e-4 (absolute);
                rules=torch: threshold=1e-4, threshold_mode=rel|abs, eps=1e-8
  onecycle      iterations* (or epochs*), max*, start=max/10,
                last_iterations=iterations/10+1, last=start/1000 (0 = default)
  onecycle-cos  max*, total* (or epochs*), pct=0.3, anneal=cos|linear, div=25,
                final_div=1e4, three_phase=false, cycle_momentum=true,
                base_momentum=0.85, max_momentum=0.95
per=iteration|epoch (default iteration): per=epoch counts t in epochs; it and
epochs=N (N epochs of steps) need the steps per epoch.`

// Parse builds a schedule from a SPEC (see SpecHelp):
//
//	constant     Constant
//	power        Power (PerEpoch with per=epoch)
//	exponential  Exponential (PerEpoch with per=epoch)
//	piecewise    Piecewise (PerEpoch with per=epoch)
//	plateau      *Plateau (NewPlateau; scale=(SPEC) scales that schedule)
//	onecycle     OneCycle
//	onecycle-cos OneCycleTorch (its Schedule method)
//
// ctx.StepsPerEpoch is needed by per=epoch and epochs=. Booleans are
// true/false/1/0; numbers are Go literals (ParseFloat; NaN and Inf are
// refused). Errors are *Error values naming the SPEC and the offending name,
// key or value: an unknown name or key, a missing required key, an invalid
// value (s <= 0, factor >= 1, boundaries not increasing, wrong list lengths,
// ...). Each Parse of a plateau returns fresh state.
func Parse(spec string, ctx Context) (Schedule, error) {
	s, err := parse(spec, ctx, 0)
	if err != nil {
		if e, ok := err.(*Error); ok && e.Spec == "" {
			e.Spec = spec
		}
		return nil, err
	}
	return s, nil
}

// maxNesting bounds scale=(...) nesting; a plateau may scale one schedule.
const maxNesting = 1

func parse(spec string, ctx Context, depth int) (Schedule, error) {
	a, err := splitSpec(spec)
	if err != nil {
		return nil, err
	}
	var s Schedule
	switch a.name {
	case "constant":
		c := Constant(a.float("lr0", 0, true))
		s, err = a.finishPer(c, c.Validate(), ctx)
	case "power":
		p := Power{LR0: a.float("lr0", 0, true), S: a.float("s", 0, true), C: a.float("c", 1, false)}
		s, err = a.finishPer(p, p.Validate(), ctx)
	case "exponential":
		e := Exponential{LR0: a.float("lr0", 0, true), S: a.float("s", 0, true),
			Rate: a.float("rate", 0.1, false), Staircase: a.bool("staircase", false)}
		s, err = a.finishPer(e, e.Validate(), ctx)
	case "piecewise":
		p := Piecewise{Boundaries: a.ints("boundaries"), Values: a.floats("values")}
		s, err = a.finishPer(p, p.Validate(), ctx)
	case "onecycle":
		o := OneCycle{Iterations: a.steps("iterations", ctx), MaxRate: a.float("max", 0, true),
			StartRate: a.float("start", 0, false), LastIterations: a.int("last_iterations", 0),
			LastRate: a.float("last", 0, false)}
		s, err = a.finish(o, o.Validate())
	case "onecycle-cos":
		d := NewOneCycleTorch(0, 0)
		o := OneCycleTorch{MaxLR: a.float("max", 0, true), Total: a.steps("total", ctx),
			PctStart: a.float("pct", d.PctStart, false), Anneal: a.str("anneal", d.Anneal),
			DivFactor: a.float("div", d.DivFactor, false), FinalDivFactor: a.float("final_div", d.FinalDivFactor, false),
			ThreePhase: a.bool("three_phase", d.ThreePhase), CycleMomentum: a.bool("cycle_momentum", d.CycleMomentum),
			BaseMomentum: a.float("base_momentum", d.BaseMomentum, false), MaxMomentum: a.float("max_momentum", d.MaxMomentum, false)}
		if s, err = a.finish(o, o.Validate()); err == nil {
			s = o.Schedule()
		}
	case "plateau":
		s, err = parsePlateau(a, ctx, depth)
	case "":
		return nil, &Error{Msg: "empty schedule name (want one of " + strings.Join(Names, ", ") + ")"}
	default:
		return nil, &Error{Name: a.name, Msg: "unknown schedule " + strconv.Quote(a.name) + " (want one of " + strings.Join(Names, ", ") + ")"}
	}
	if err != nil {
		if e, ok := err.(*Error); ok && e.Name == "" {
			e.Name = a.name
		}
		return nil, err
	}
	return s, nil
}

func parsePlateau(a *args, ctx Context, depth int) (Schedule, error) {
	cfg := KerasPlateau()
	switch r := a.str("rules", "keras"); r {
	case "keras":
	case "torch":
		cfg = TorchPlateau()
	default:
		a.fail(&Error{Key: "rules", Value: r, Msg: "rules must be keras or torch"})
	}
	cfg.Monitor = a.str("monitor", cfg.Monitor)
	cfg.Mode = a.str("mode", cfg.Mode)
	cfg.Factor = a.float("factor", cfg.Factor, false)
	cfg.Patience = a.int("patience", cfg.Patience)
	cfg.Cooldown = a.int("cooldown", cfg.Cooldown)
	cfg.MinLR = a.float("min_lr", cfg.MinLR, false)
	if cfg.Rules == KerasRules {
		cfg.MinDelta = a.float("min_delta", cfg.MinDelta, false)
		for _, k := range []string{"threshold", "threshold_mode", "eps"} {
			a.refuse(k, "applies to rules=torch (Keras's rule uses min_delta)")
		}
	} else {
		cfg.Threshold = a.float("threshold", cfg.Threshold, false)
		cfg.ThresholdMode = a.str("threshold_mode", cfg.ThresholdMode)
		cfg.Eps = a.float("eps", cfg.Eps, false)
		a.refuse("min_delta", "applies to rules=keras (PyTorch's rule uses threshold and threshold_mode)")
	}
	var base Schedule
	scale := false
	if inner, ok := a.kv["scale"]; ok {
		a.used["scale"] = true
		a.refuse("lr0", "cannot be given with scale=(SPEC): the scaled schedule sets the rate")
		if a.err != nil {
			return nil, a.err
		}
		if depth >= maxNesting {
			return nil, &Error{Key: "scale", Value: inner, Msg: "nested too deep"}
		}
		if len(inner) < 2 || inner[0] != '(' || inner[len(inner)-1] != ')' {
			return nil, &Error{Key: "scale", Value: inner, Msg: "scale takes a SPEC in parentheses, e.g. scale=(exponential:lr0=0.01,s=20)"}
		}
		b, err := parse(inner[1:len(inner)-1], ctx, depth+1)
		if err != nil {
			return nil, err
		}
		if _, ok := b.(EpochObserver); ok {
			return nil, &Error{Key: "scale", Value: inner, Msg: "cannot scale a schedule that observes epochs itself"}
		}
		base, scale = b, true
	} else {
		base = Constant(a.float("lr0", 0, true))
	}
	if err := a.done(); err != nil {
		return nil, err
	}
	return NewPlateau(base, cfg, scale)
}

// args holds a split SPEC; its getters record the first error.
type args struct {
	name string
	kv   map[string]string
	keys []string // in SPEC order
	used map[string]bool
	err  error
}

// splitSpec splits `name:k=v,...` into name and keys, refusing duplicate
// keys and malformed pairs; commas inside parentheses do not split.
func splitSpec(spec string) (*args, error) {
	name, rest, hasKeys := strings.Cut(spec, ":")
	a := &args{name: strings.TrimSpace(name), kv: map[string]string{}, used: map[string]bool{}}
	if !hasKeys {
		return a, nil
	}
	depth, start := 0, 0
	var parts []string
	for i := 0; i < len(rest); i++ {
		switch rest[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth < 0 {
				return nil, &Error{Name: a.name, Msg: "unbalanced ')'"}
			}
		case ',':
			if depth == 0 {
				parts = append(parts, rest[start:i])
				start = i + 1
			}
		}
	}
	if depth != 0 {
		return nil, &Error{Name: a.name, Msg: "unbalanced '('"}
	}
	parts = append(parts, rest[start:])
	for _, p := range parts {
		k, v, ok := strings.Cut(p, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" {
			return nil, &Error{Name: a.name, Key: strings.TrimSpace(p), Msg: "want key=value"}
		}
		if _, dup := a.kv[k]; dup {
			return nil, &Error{Name: a.name, Key: k, Msg: "key given twice"}
		}
		a.kv[k] = v
		a.keys = append(a.keys, k)
	}
	return a, nil
}

func (a *args) fail(e *Error) {
	if a.err == nil {
		a.err = e
	}
}

// raw returns the value of key and whether it is present, marking it used.
func (a *args) raw(key string, required bool) (string, bool) {
	a.used[key] = true
	v, ok := a.kv[key]
	if !ok && required {
		a.fail(&Error{Key: key, Msg: "missing required key " + key})
	}
	return v, ok
}

func (a *args) float(key string, def float64, required bool) float64 {
	v, ok := a.raw(key, required)
	if !ok {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		a.fail(&Error{Key: key, Value: v, Msg: "not a finite number"})
		return def
	}
	return f
}

func (a *args) int(key string, def int) int {
	v, ok := a.raw(key, false)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		a.fail(&Error{Key: key, Value: v, Msg: "not an integer"})
		return def
	}
	return n
}

// steps reads a required step count given as key=N or epochs=E (E epochs of
// ctx.StepsPerEpoch steps).
func (a *args) steps(key string, ctx Context) int {
	if _, ok := a.kv["epochs"]; !ok {
		if _, ok := a.raw(key, true); !ok {
			return 0
		}
		return a.int(key, 0)
	}
	if _, ok := a.kv[key]; ok {
		a.fail(&Error{Key: "epochs", Msg: "give " + key + " or epochs, not both"})
		return 0
	}
	e := a.int("epochs", 0)
	if a.err != nil {
		return 0
	}
	if ctx.StepsPerEpoch <= 0 {
		a.fail(&Error{Key: "epochs", Value: a.kv["epochs"], Msg: "epochs needs Context.StepsPerEpoch > 0 (--steps-per-epoch)"})
		return 0
	}
	if e <= 0 || e > math.MaxInt32/ctx.StepsPerEpoch {
		a.fail(&Error{Key: "epochs", Value: a.kv["epochs"], Msg: "epochs must be > 0 and epochs*StepsPerEpoch fit in 31 bits"})
		return 0
	}
	return e * ctx.StepsPerEpoch
}

func (a *args) bool(key string, def bool) bool {
	v, ok := a.raw(key, false)
	if !ok {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		a.fail(&Error{Key: key, Value: v, Msg: "not a boolean (true/false)"})
		return def
	}
	return b
}

func (a *args) str(key, def string) string {
	if v, ok := a.raw(key, false); ok {
		return v
	}
	return def
}

func (a *args) list(key string) []string {
	v, ok := a.raw(key, true)
	if !ok {
		return nil
	}
	if v == "" {
		a.fail(&Error{Key: key, Msg: "empty list"})
		return nil
	}
	parts := strings.Split(v, "|")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

func (a *args) floats(key string) []float64 {
	parts := a.list(key)
	out := make([]float64, 0, len(parts))
	for _, p := range parts {
		f, err := strconv.ParseFloat(p, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			a.fail(&Error{Key: key, Value: p, Msg: "not a finite number"})
			return nil
		}
		out = append(out, f)
	}
	return out
}

func (a *args) ints(key string) []int {
	parts := a.list(key)
	out := make([]int, 0, len(parts))
	for _, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			a.fail(&Error{Key: key, Value: p, Msg: "not an integer"})
			return nil
		}
		out = append(out, n)
	}
	return out
}

// refuse reports key if present.
func (a *args) refuse(key, why string) {
	if v, ok := a.kv[key]; ok {
		a.fail(&Error{Key: key, Value: v, Msg: key + " " + why})
	}
}

// done reports a parse error, else the first key no getter asked for.
func (a *args) done() error {
	if a.err != nil {
		return a.err
	}
	for _, k := range a.keys {
		if !a.used[k] {
			return &Error{Key: k, Value: a.kv[k], Msg: "unknown key " + k + " for " + a.name}
		}
	}
	return nil
}

// finish returns s once all keys were read and s validated.
func (a *args) finish(s Schedule, validate error) (Schedule, error) {
	if err := a.done(); err != nil {
		return nil, err
	}
	if validate != nil {
		return nil, validate
	}
	return s, nil
}

// finishPer applies per=iteration|epoch to a stateless schedule.
func (a *args) finishPer(s Schedule, validate error, ctx Context) (Schedule, error) {
	switch per := a.str("per", "iteration"); per {
	case "iteration":
	case "epoch":
		s = PerEpoch{Schedule: s, StepsPerEpoch: ctx.StepsPerEpoch}
		if validate == nil {
			validate = s.(PerEpoch).Validate()
		}
	default:
		a.fail(&Error{Key: "per", Value: per, Msg: "per must be iteration or epoch"})
	}
	return a.finish(s, validate)
}

// kv joins key/value pairs as k=v,k=v.
func kv(pairs ...string) string {
	var b strings.Builder
	for i := 0; i < len(pairs); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(pairs[i] + "=" + pairs[i+1])
	}
	return b.String()
}

// fmtFloat writes the shortest decimal that parses back to v exactly.
func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
