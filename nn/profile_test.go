package nn

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestStepProfile: a profile counts Fit's and TrainOnBatch's steps and
// samples, names the model's layers, gives every pass some time and the
// parts no more than the whole, and leaves the training's bits alone.
func TestStepProfile(t *testing.T) {
	x, y := blobs(200, 8, 3, 7)
	plain := compiled(t, smallModel(Dropout(0.2)), NewSGD(0.05))
	timed := compiled(t, smallModel(Dropout(0.2)), NewSGD(0.05))
	var p StepProfile
	timed.Profile(&p)
	cfg := FitConfig{Epochs: 2, BatchSize: 32, Seed: 1}
	start := time.Now()
	if _, err := timed.Fit(x, y, cfg); err != nil {
		t.Fatal(err)
	}
	wall := time.Since(start)
	if _, err := plain.Fit(x, y, cfg); err != nil {
		t.Fatal(err)
	}
	for i, w := range timed.Weights() {
		if !slices.Equal(w, plain.Weights()[i]) {
			t.Fatalf("weights %d differ with a profile attached", i)
		}
	}
	if steps := 2 * 7; p.Steps != steps || p.Samples != 2*200 {
		t.Errorf("%d steps of %d samples, want %d of 400", p.Steps, p.Samples, steps)
	}
	names := []string{"dense", "dropout", "dense_1"}
	if len(p.Layers) != len(names) {
		t.Fatalf("layers %+v", p.Layers)
	}
	sum := p.Loss + p.Update + p.Gather
	for i, l := range p.Layers {
		if l.Name != names[i] || l.Forward <= 0 || l.Backward < 0 {
			t.Errorf("layer %d: %+v", i, l)
		}
		sum += l.Forward + l.Backward
	}
	// the first layer's backward pass (dW only) and the last one's are timed
	if p.Layers[0].Backward <= 0 || p.Layers[2].Backward <= 0 {
		t.Errorf("backward passes not timed: %+v", p.Layers)
	}
	if p.Gather <= 0 || p.Loss <= 0 || p.Update <= 0 || sum > p.Total || p.Total > wall {
		t.Errorf("parts %v of %v (Fit took %v): %+v", sum, p.Total, wall, p)
	}

	var out bytes.Buffer
	if err := p.Write(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"gather", "dense forward", "dropout forward", "dense_1 backward", "loss and metrics", "update", "other", "step (28.57 samples)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}

	// TrainOnBatch adds to it; Profile resets it; nil detaches it.
	timed.Profile(&p)
	if _, err := timed.TrainOnBatch(x[:32*8], y[:32]); err != nil {
		t.Fatal(err)
	}
	if p.Steps != 1 || p.Samples != 32 || p.Gather != 0 || p.Layers[1].Forward <= 0 {
		t.Errorf("after one TrainOnBatch: %+v", p)
	}
	timed.Profile(nil)
	if _, err := timed.TrainOnBatch(x[:32*8], y[:32]); err != nil {
		t.Fatal(err)
	}
	if p.Steps != 1 {
		t.Errorf("a detached profile counted a step: %+v", p)
	}
	var empty StepProfile
	out.Reset()
	if err := empty.Write(&out); err != nil || !strings.Contains(out.String(), "no steps") {
		t.Errorf("empty profile: %q, %v", out.String(), err)
	}
}

// TestStepProfileAllocatesNothing: a profiled step allocates nothing
// either.
func TestStepProfileAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	x, y := blobs(32, 8, 3, 4)
	m := compiled(t, smallModel(Dropout(0.2)), NewAdam(1e-3))
	var p StepProfile
	m.Profile(&p)
	if _, err := m.TrainOnBatch(x, y); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(20, func() { _, _ = m.TrainOnBatch(x, y) }); n != 0 {
		t.Errorf("a profiled TrainOnBatch allocates %v times per step", n)
	}
}
