package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nnrt/nnrt/bench/dataset"
	"github.com/nnrt/nnrt/nn"
)

func runTrainCmd(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(append([]string{"train"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func TestTrainCommandJSONAndSave(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.safetensors")
	code, out, errs := runTrainCmd("--data", "embedded", "--limit", "600", "--epochs", "2", "--batch", "64",
		"--dropout", "0.1", "--l2", "1e-4", "--max-norm", "2", "--format", "json", "--save", path, "--threads", "1")
	if code != 0 {
		t.Fatalf("status %d, stderr:\n%s", code, errs)
	}
	var r trainReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !r.Embedded || len(r.History) != 2 || r.Threads != 1 || !(r.Test.Accuracy > 0.3) || r.History[1].ValAccuracy != r.History[1].ValAccuracy {
		t.Errorf("report %+v", r)
	}
	if !strings.Contains(errs, "Epoch 2/2") {
		t.Errorf("progress not on stderr:\n%s", errs)
	}
	m, err := nn.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := dataset.LoadEmbedded()
	ev, err := m.Evaluate(d.Test.X, d.Test.Y, 1024)
	if err != nil || ev.Accuracy != r.Test.Accuracy {
		t.Errorf("loaded model: accuracy %v (%v), report says %v", ev.Accuracy, err, r.Test.Accuracy)
	}
	if _, err := os.Stat(nn.ConfigPath(path)); err != nil {
		t.Error(err)
	}
}

func TestTrainCommandText(t *testing.T) {
	code, out, errs := runTrainCmd("--data", "embedded", "--limit", "300", "--epochs", "1", "--optimizer", "nadam", "--lr", "0.001",
		"--schedule", "exponential:lr0=0.01,s=100", "--standardize", "--activation", "selu", "--init", "lecun_normal")
	if code != 0 || !strings.Contains(out, "test accuracy") || !strings.Contains(out, "embedded") {
		t.Errorf("status %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
}

func TestTrainCommandProfile(t *testing.T) {
	code, out, errs := runTrainCmd("--data", "embedded", "--limit", "300", "--epochs", "1", "--batch", "50", "--profile")
	if code != 0 {
		t.Fatalf("status %d\nstderr:\n%s", code, errs)
	}
	for _, want := range []string{"where a training step's time went (6 steps", "dense forward", "dense_2 backward", "gather", "step (50 samples)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	code, out, errs = runTrainCmd("--data", "embedded", "--limit", "300", "--epochs", "1", "--batch", "50", "--profile", "--format", "json")
	var r trainReport
	if code != 0 || json.Unmarshal([]byte(out), &r) != nil || r.Profile == nil || r.Profile.Steps != 6 || len(r.Profile.Layers) != 4 {
		t.Errorf("status %d, report %+v\nstderr:\n%s", code, r.Profile, errs)
	}
}

func TestTrainCommandBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--optimizer", "lbfgs"},
		{"--format", "xml"},
		{"--batch", "0"},
		{"--schedule", "nosuch:lr0=1"},
		{"--momentum", "0.9", "--optimizer", "adam"},
		{"--activation", "swish9"},
		{"extra"},
	} {
		code, _, errs := runTrainCmd(append([]string{"--data", "embedded", "--limit", "64"}, args...)...)
		if code != 2 || errs == "" {
			t.Errorf("%v: status %d, stderr %q; want 2 and a message", args, code, errs)
		}
	}
	if code, _, _ := runTrainCmd("--data", "/nonexistent/dir"); code != 1 {
		t.Errorf("missing data folder: status %d, want 1", code)
	}
}
