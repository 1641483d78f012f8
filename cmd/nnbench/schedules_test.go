package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/nnrt/nnrt/bench"
)

// quickStudy is a study small enough for tests on the embedded subset: 300
// training images, 2 seeds, 2 epochs, three schedules, one thread (the
// same thread count makes the runs bit-identical across executions).
var quickStudy = []string{"--data", "embedded", "--limit", "300", "--seeds", "2", "--epochs", "2", "--threads", "1",
	"--schedules", "constant:lr0=0.01; exponential:lr0=0.01,s=10; onecycle:iterations=20,max=0.05"}

func runCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return out.String(), errb.String(), code
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, errs, code := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("nnbench %s: exit %d\n%s\n%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

func checkStudyFolder(t *testing.T, dir string) *bench.Summary {
	t.Helper()
	for _, f := range []string{bench.ResultsFile, bench.StudyFile, bench.SummaryJSON, bench.SummaryCSV, bench.ReportHTML,
		"val_accuracy.png", "val_accuracy.svg", "val_loss.png", "val_loss.svg"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	var s bench.Summary
	b, _ := os.ReadFile(filepath.Join(dir, bench.SummaryJSON))
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("summary.json: %v", err)
	}
	if _, _, err := bench.Load(dir); err != nil {
		t.Fatalf("results: %v", err)
	}
	html, _ := os.ReadFile(filepath.Join(dir, bench.ReportHTML))
	for _, m := range regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(string(html), -1) {
		p := filepath.Join(dir, m[1])
		if _, err := os.Stat(p); err != nil {
			t.Errorf("report references missing %s", m[1])
		}
		if strings.HasSuffix(p, ".png") {
			f, _ := os.Open(p)
			if _, err := png.Decode(f); err != nil {
				t.Errorf("%s: %v", m[1], err)
			}
			f.Close()
		}
	}
	return &s
}

// timeless reads a results file with the wall times zeroed: they are the
// only fields that differ between two executions of the same runs.
func timeless(t *testing.T, dir string) []string {
	t.Helper()
	_, runs, err := bench.Load(dir)
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

func TestSchedulesEndToEnd(t *testing.T) {
	root := t.TempDir()
	full := filepath.Join(root, "full")
	out := mustRun(t, append([]string{"--out", full}, quickStudy...)...)
	if first := strings.SplitN(out, "\n", 2)[0]; !strings.Contains(first, "embedded") {
		t.Errorf("first line does not say the subset was used: %q", first)
	}
	s := checkStudyFolder(t, full)
	if !s.Complete || s.Runs != 6 || len(s.Schedules) != 3 {
		t.Fatalf("summary: complete %v runs %d", s.Complete, s.Runs)
	}
	for _, ss := range s.Schedules[1:] {
		if ss.Verdict != bench.VerdictTooFew {
			t.Errorf("%s: verdict %q with 2 seeds", ss.Label, ss.Verdict)
		}
	}
	html, _ := os.ReadFile(filepath.Join(full, bench.ReportHTML))
	if !bytes.Contains(html, []byte("embedded")) {
		t.Error("report does not say the subset was used")
	}

	// --resume of a finished study trains nothing and changes nothing.
	before := timeless(t, full)
	out = mustRun(t, append([]string{"--out", full, "--resume"}, quickStudy...)...)
	if !strings.Contains(out, "6 runs already finished, 0 to go") {
		t.Errorf("resume output: %s", out)
	}
	if after := timeless(t, full); strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Error("resume changed the results")
	}

	// Two shards merged equal the single study (wall times aside).
	a, b := filepath.Join(root, "s0"), filepath.Join(root, "s1")
	mustRun(t, append([]string{"--out", a, "--shard", "0/2"}, quickStudy...)...)
	mustRun(t, append([]string{"--out", b, "--shard", "1/2"}, quickStudy...)...)
	if _, _, code := runCLI(t, "merge", "--out", filepath.Join(root, "m0"), a); code == 0 {
		t.Error("merge of one shard of two succeeded without --partial")
	}
	merged := filepath.Join(root, "merged")
	mustRun(t, "merge", "--out", merged, a, b)
	if x, y := timeless(t, full), timeless(t, merged); strings.Join(x, "\n") != strings.Join(y, "\n") {
		t.Errorf("merged shards differ from the single study:\n%s\nvs\n%s", strings.Join(x, "\n"), strings.Join(y, "\n"))
	}
	m := checkStudyFolder(t, merged)
	for i := range s.Schedules {
		for _, name := range []string{"epochs_to_target", "best_val_accuracy", "test_accuracy"} {
			x, y := s.Schedules[i].Metric(name, s.PrimaryTarget), m.Schedules[i].Metric(name, m.PrimaryTarget)
			bx, _ := json.Marshal(x)
			by, _ := json.Marshal(y)
			if !bytes.Equal(bx, by) {
				t.Errorf("%s %s: merged %s, single %s", s.Schedules[i].Label, name, by, bx)
			}
		}
	}

	// report re-renders from results.jsonl.
	os.Remove(filepath.Join(merged, bench.ReportHTML))
	os.Remove(filepath.Join(merged, bench.SummaryJSON))
	mustRun(t, "report", merged)
	checkStudyFolder(t, merged)
}

func TestSchedulesBadInput(t *testing.T) {
	root := t.TempDir()
	file := filepath.Join(root, "file")
	os.WriteFile(file, []byte("x"), 0o644)
	// An output folder that cannot be made fails before any data or training.
	_, errs, code := runCLI(t, append([]string{"--out", filepath.Join(file, "out")}, quickStudy...)...)
	if code != 1 || !strings.Contains(errs, "output folder") {
		t.Errorf("unwritable out: exit %d: %s", code, errs)
	}
	for _, args := range [][]string{
		{"--schedules", "nosuch:lr0=1"},
		{"--schedules", "exponential:lr0=0.01,s=0"},
		{"--optimizer", "sgd:momentum=x"},
		{"--optimizer", "adagrad"},
		{"--shard", "2/2"},
		{"--targets", "0.8,high"},
		{"--targets", "1.5"},
		{"--seeds", "0"},
		{"--threads", "0"},
		{"--jobs", "-1"},
	} {
		_, errs, code := runCLI(t, append([]string{"--out", filepath.Join(root, "bad"), "--data", "embedded"}, args...)...)
		if code != 2 {
			t.Errorf("%v: exit %d (%s), want 2", args, code, errs)
		}
	}
	// A study of another protocol is refused by --resume and merge.
	dir := filepath.Join(root, "study")
	mustRun(t, append([]string{"--out", dir}, quickStudy...)...)
	other := append([]string{"--out", dir, "--resume"}, quickStudy...)
	other = append(other, "--batch", "64")
	_, errs, code = runCLI(t, other...)
	if code == 0 || !strings.Contains(errs, "another study") || !strings.Contains(errs, "batch") {
		t.Errorf("resume with another batch: exit %d: %s", code, errs)
	}
	dir2 := filepath.Join(root, "study2")
	mustRun(t, append(append([]string{"--out", dir2}, quickStudy...), "--batch", "64")...)
	if _, errs, code := runCLI(t, "merge", "--out", filepath.Join(root, "m"), dir, dir2); code == 0 || !strings.Contains(errs, "another study") {
		t.Errorf("merge of two protocols: exit %d: %s", code, errs)
	}
	// Without --resume a folder with results is refused.
	if _, errs, code := runCLI(t, append([]string{"--out", dir}, quickStudy...)...); code == 0 || !strings.Contains(errs, "--resume") {
		t.Errorf("second study into a used folder: exit %d: %s", code, errs)
	}
}

// summaryWithoutSeconds reads summary.json or summary.csv without the
// seconds_to_target metric, the one measured in wall time.
func summaryWithoutSeconds(t *testing.T, dir, file string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		t.Fatal(err)
	}
	if file == bench.SummaryCSV {
		var keep []string
		for _, l := range strings.Split(string(b), "\n") {
			if !strings.Contains(l, ",seconds_to_target,") {
				keep = append(keep, l)
			}
		}
		return strings.Join(keep, "\n")
	}
	var s bench.Summary
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	for _, ss := range s.Schedules {
		var keep []*bench.Metric
		for _, m := range ss.Metrics {
			if m.Name != "seconds_to_target" {
				keep = append(keep, m)
			}
		}
		ss.Metrics = keep
	}
	out, _ := json.MarshalIndent(s, "", " ")
	return string(out)
}

// TestSchedulesJobs: --jobs 1 and --jobs 3 on the subset (2 seeds, 2
// epochs, 2 schedules) give the same runs and summaries, wall times aside;
// a study cut short is resumed with another --jobs.
func TestSchedulesJobs(t *testing.T) {
	study := []string{"--data", "embedded", "--limit", "300", "--seeds", "2", "--epochs", "2",
		"--schedules", "constant:lr0=0.01; onecycle:iterations=20,max=0.05"}
	root := t.TempDir()
	one, three := filepath.Join(root, "one"), filepath.Join(root, "three")
	out := mustRun(t, append([]string{"--out", one, "--jobs", "1"}, study...)...)
	if !strings.Contains(out, "1 thread(s) per run, 1 run(s) at once") {
		t.Errorf("--jobs 1 output: %s", out)
	}
	out = mustRun(t, append([]string{"--out", three, "--jobs", "3"}, study...)...)
	if !strings.Contains(out, "1 thread(s) per run, 3 run(s) at once") {
		t.Errorf("--jobs 3 output: %s", out)
	}
	if a, b := timeless(t, one), timeless(t, three); strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Errorf("runs differ between --jobs 1 and 3:\n%s\nvs\n%s", strings.Join(a, "\n"), strings.Join(b, "\n"))
	}
	for _, f := range []string{bench.SummaryJSON, bench.SummaryCSV} {
		if a, b := summaryWithoutSeconds(t, one, f), summaryWithoutSeconds(t, three, f); a != b {
			t.Errorf("%s differs between --jobs 1 and 3:\n%s\nvs\n%s", f, a, b)
		}
	}
	html, _ := os.ReadFile(filepath.Join(three, bench.ReportHTML))
	for _, want := range []string{"4 run(s) trained 3 at a time", "1 kernel thread(s) per run"} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("report does not say %q", want)
		}
	}
	// Another thread count is another protocol; another --jobs is not.
	_, errs, code := runCLI(t, append([]string{"--out", three, "--resume", "--threads", "2"}, study...)...)
	if code == 0 || !strings.Contains(errs, "threads: 1 != 2") {
		t.Errorf("resume with --threads 2: exit %d: %s", code, errs)
	}
	// Drop the last two finished runs (as if killed before them, with a
	// torn line) and resume with --jobs 2: only those two are trained.
	lines := strings.SplitAfter(string(must(os.ReadFile(filepath.Join(three, bench.ResultsFile)))), "\n")
	torn := strings.Join(lines[:2], "") + lines[2][:10]
	if err := os.WriteFile(filepath.Join(three, bench.ResultsFile), []byte(torn), 0o644); err != nil {
		t.Fatal(err)
	}
	out = mustRun(t, append([]string{"--out", three, "--resume", "--jobs", "2"}, study...)...)
	if !strings.Contains(out, "2 runs already finished, 2 to go") {
		t.Errorf("resume output: %s", out)
	}
	if a, b := timeless(t, one), timeless(t, three); strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Errorf("runs differ after resuming with --jobs 2")
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestSchedulesDiverging(t *testing.T) {
	dir := t.TempDir()
	out := mustRun(t, "--out", dir, "--data", "embedded", "--limit", "300", "--seeds", "1", "--epochs", "2", "--threads", "1",
		"--schedules", "constant:lr0=0.01; constant:lr0=1000")
	s := checkStudyFolder(t, dir)
	if s.Runs != 2 || s.Diverged != 1 || s.Schedules[1].Diverged != 1 || s.Schedules[0].Diverged != 0 {
		t.Fatalf("diverged runs: %d (%s)", s.Diverged, out)
	}
	if !strings.Contains(out, "diverged") {
		t.Errorf("progress does not report the divergence: %s", out)
	}
}
