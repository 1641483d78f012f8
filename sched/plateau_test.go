package sched

import (
	"math"
	"slices"
	"testing"
)

// epochRates replays metrics through p and returns the rate of each epoch
// (epoch e runs at the rate set by the values of epochs 0..e-1).
func epochRates(p *Plateau, metrics []float64) []float64 {
	out := make([]float64, len(metrics))
	for e, v := range metrics {
		out[e] = p.LR(e * 10)
		p.ObserveEpoch(e, v)
	}
	return out
}

func plateau(t *testing.T, lr0 float64, cfg PlateauConfig) *Plateau {
	t.Helper()
	p, err := NewPlateau(Constant(lr0), cfg, false)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPlateauScripts(t *testing.T) {
	keras := func(f func(*PlateauConfig)) PlateauConfig {
		c := KerasPlateau()
		c.Factor, c.MinDelta = 0.5, 0
		f(&c)
		return c
	}
	torch := func(f func(*PlateauConfig)) PlateauConfig {
		c := TorchPlateau()
		c.Factor = 0.5
		f(&c)
		return c
	}
	flat := []float64{1, 1, 1, 1, 1, 1, 1, 1}
	nan := math.NaN()
	cases := []struct {
		name    string
		cfg     PlateauConfig
		metrics []float64
		want    []float64
	}{
		// The one-epoch difference: Keras reduces when wait >= patience,
		// PyTorch when num_bad_epochs > patience.
		{"keras patience 2", keras(func(c *PlateauConfig) { c.Patience = 2 }), flat,
			[]float64{1, 1, 1, 0.5, 0.5, 0.25, 0.25, 0.125}},
		{"torch patience 2", torch(func(c *PlateauConfig) { c.Patience = 2 }), flat,
			[]float64{1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25}},
		// Improvements reset the count.
		{"keras improving", keras(func(c *PlateauConfig) { c.Patience = 1 }), []float64{1, 0.9, 0.8, 0.8, 0.7, 0.75, 0.6},
			[]float64{1, 1, 1, 1, 0.5, 0.5, 0.25}},
		// Cooldown c: Keras decrements before testing, so it pauses the
		// count for c-1 epochs; PyTorch for c.
		{"keras cooldown 2", keras(func(c *PlateauConfig) { c.Patience, c.Cooldown = 1, 2 }), flat,
			[]float64{1, 1, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125}},
		{"keras cooldown 0", keras(func(c *PlateauConfig) { c.Patience = 1 }), flat[:5],
			[]float64{1, 1, 0.5, 0.25, 0.125}},
		{"torch cooldown 2", torch(func(c *PlateauConfig) { c.Patience, c.Cooldown = 1, 2 }), flat,
			[]float64{1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25}},
		// min_lr: the rate stops at 0.2; Keras then stops reducing because
		// float32(lr) > float32(min_lr) fails, PyTorch because lr-new <= eps.
		{"keras min_lr", keras(func(c *PlateauConfig) { c.Patience, c.MinLR = 0, 0.2 }), flat[:6],
			[]float64{1, 1, 0.5, 0.25, 0.2, 0.2}},
		{"torch min_lr", torch(func(c *PlateauConfig) { c.Patience, c.MinLR = 0, 0.2 }), flat[:6],
			[]float64{1, 1, 0.5, 0.25, 0.2, 0.2}},
		// Keras's min_delta is absolute: 0.95 is no improvement on 1 with
		// min_delta 0.1, 0.85 is.
		{"keras min_delta", keras(func(c *PlateauConfig) { c.Patience, c.MinDelta = 1, 0.1 }), []float64{1, 0.95, 0.85, 0.8},
			[]float64{1, 1, 0.5, 0.5}},
		// PyTorch rel vs abs threshold 0.1 from best 10: 9.5 improves only
		// in abs mode (rel needs < 9).
		{"torch rel", torch(func(c *PlateauConfig) { c.Patience, c.Threshold = 0, 0.1 }), []float64{10, 9.5, 8.9},
			[]float64{1, 1, 0.5}},
		{"torch abs", torch(func(c *PlateauConfig) { c.Patience, c.Threshold, c.ThresholdMode = 0, 0.1, "abs" }), []float64{10, 9.5, 8.9},
			[]float64{1, 1, 1}},
		// Max mode (and auto on an accuracy): a rise is an improvement.
		{"keras max", keras(func(c *PlateauConfig) { c.Patience, c.Mode = 1, "max" }), []float64{0.8, 0.85, 0.85, 0.9, 0.7},
			[]float64{1, 1, 1, 0.5, 0.5}},
		{"keras auto acc", keras(func(c *PlateauConfig) { c.Patience, c.Monitor = 1, "val_accuracy" }), []float64{0.8, 0.85, 0.85, 0.9, 0.7},
			[]float64{1, 1, 1, 0.5, 0.5}},
		{"keras min on acc", keras(func(c *PlateauConfig) { c.Patience, c.Mode = 1, "min" }), []float64{0.8, 0.85, 0.85, 0.9, 0.7},
			[]float64{1, 1, 0.5, 0.25, 0.125}},
		{"torch max rel", torch(func(c *PlateauConfig) { c.Patience, c.Mode, c.Threshold = 0, "max", 0.1 }), []float64{1, 1.05, 1.2},
			[]float64{1, 1, 0.5}},
		// A NaN metric never improves.
		{"keras nan", keras(func(c *PlateauConfig) { c.Patience = 1 }), []float64{1, nan, 0.5, nan},
			[]float64{1, 1, 0.5, 0.5}},
	}
	for _, c := range cases {
		got := epochRates(plateau(t, 1, c.cfg), c.metrics)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: rates %v, want %v", c.name, got, c.want)
		}
	}
}

func TestPlateauTorchEps(t *testing.T) {
	c := TorchPlateau()
	c.Patience, c.Factor = 0, 0.5
	// 1e-8 -> 5e-9 changes the rate by 5e-9 <= eps: skipped.
	if got := epochRates(plateau(t, 1e-8, c), []float64{1, 1, 1}); !slices.Equal(got, []float64{1e-8, 1e-8, 1e-8}) {
		t.Errorf("eps: %v", got)
	}
}

func TestPlateauBook(t *testing.T) {
	// NB cell 139: ReduceLROnPlateau(factor=0.5, patience=5), SGD 0.02.
	s, err := Parse("plateau:lr0=0.02,factor=0.5,patience=5", Context{})
	if err != nil {
		t.Fatal(err)
	}
	p := s.(*Plateau)
	if p.Monitor() != "val_loss" {
		t.Errorf("Monitor() = %q", p.Monitor())
	}
	// Best at epoch 2, five epochs without an improvement larger than 1e-4.
	got := epochRates(p, []float64{0.5, 0.4, 0.35, 0.36, 0.34995, 0.351, 0.352, 0.353, 0.3})
	want := []float64{0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.01}
	if !slices.Equal(got, want) {
		t.Errorf("book plateau: %v, want %v", got, want)
	}
}

func TestPlateauScale(t *testing.T) {
	base := Exponential{LR0: 0.01, S: 10, Rate: 0.1}
	cfg := KerasPlateau()
	cfg.Patience, cfg.Factor = 0, 0.5
	if _, err := NewPlateau(base, cfg, false); err == nil {
		t.Fatal("plateau over a non-constant schedule without scale: no error")
	}
	p, err := NewPlateau(base, cfg, true)
	if err != nil {
		t.Fatal(err)
	}
	if p.LR(10) != base.LR(10) {
		t.Errorf("before any reduction: %v, want %v", p.LR(10), base.LR(10))
	}
	p.ObserveEpoch(0, 1)
	p.ObserveEpoch(1, 1) // no improvement, patience 0: multiplier 0.5
	for _, step := range []int{0, 10, 25} {
		if got, want := p.LR(step), base.LR(step)*0.5; got != want {
			t.Errorf("scaled LR(%d) = %v, want %v", step, got, want)
		}
	}
	cfg.MinLR = 0.001
	if _, err := NewPlateau(base, cfg, true); err == nil {
		t.Error("scaled plateau with min_lr: no error")
	}
	pl, _ := NewPlateau(Constant(1), KerasPlateau(), false)
	if _, err := NewPlateau(pl, KerasPlateau(), true); err == nil {
		t.Error("plateau scaling a plateau: no error")
	}
}
