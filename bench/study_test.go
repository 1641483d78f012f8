package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeTrainer produces deterministic synthetic runs: validation accuracy
// rises toward a ceiling at a speed set by the schedule's position, with a
// per-seed offset; a schedule named "diverge" gets a NaN loss at epoch 2.
// cancelAfter > 0 cancels the study's context during that call. jitter
// makes runs take a few milliseconds that vary with the run, so that
// concurrent runs finish out of order. It allows concurrent calls.
type fakeTrainer struct {
	calls       atomic.Int64
	cancelAfter int64
	cancel      context.CancelFunc
	jitter      bool
}

func (f *fakeTrainer) Train(ctx context.Context, st *Study, k RunKey, epoch func(Epoch)) (*Run, error) {
	if n := f.calls.Add(1); f.cancelAfter > 0 && n == f.cancelAfter {
		f.cancel()
	}
	if f.jitter {
		time.Sleep(time.Duration((k.Seed*7+int64(k.Schedule)*3)%5) * time.Millisecond)
	}
	r := &Run{Status: StatusOK}
	speed := 0.3 + 0.15*float64(k.Schedule)
	for e := 1; e <= st.Epochs; e++ {
		acc := 0.92 - 0.3*math.Exp(-speed*float64(e)) + 0.002*float64(k.Seed%5)
		ep := Epoch{Epoch: e, Loss: F(1 / float64(e)), Accuracy: F(acc + 0.01), ValLoss: F(1.1 / float64(e)),
			ValAccuracy: F(acc), LR: F(0.01 / float64(k.Schedule+1) / float64(e)), Seconds: 0.5}
		if ScheduleName(st.Schedules[k.Schedule]) == "diverge" && e == 2 {
			ep.Loss, ep.ValLoss, ep.ValAccuracy = F(math.NaN()), F(math.NaN()), 0.1
			r.Status = StatusDiverged
		}
		r.Epochs = append(r.Epochs, ep)
		epoch(ep)
		if ctx.Err() != nil {
			return r, nil
		}
		if r.Status == StatusDiverged {
			break
		}
	}
	r.TestAccuracy = r.Epochs[len(r.Epochs)-1].ValAccuracy - 0.005
	r.TestLoss = 0.3
	r.Seconds = F(0.5*float64(len(r.Epochs)) + 0.1)
	return r, nil
}

func testStudy() *Study {
	return &Study{Version: FormatVersion, Data: DataInfo{Kind: "synthetic", Train: 10, Val: 2, Test: 2},
		Model: "synthetic", Optimizer: "sgd", Batch: 4, Epochs: 6,
		Schedules: []string{"constant:lr0=0.01", "exponential:lr0=0.01,s=2", "onecycle:max=0.05", "diverge"},
		Seeds:     []int64{1, 2, 3, 4, 5}, Targets: []float64{0.85, 0.9}, Threads: 1}
}

func execute(t *testing.T, dir string, st *Study, sh Shard, resume bool, tr Trainer) (*Summary, error) {
	t.Helper()
	return executeJobs(t, dir, st, sh, resume, tr, 1)
}

func executeJobs(t *testing.T, dir string, st *Study, sh Shard, resume bool, tr Trainer, jobs int) (*Summary, error) {
	t.Helper()
	var buf bytes.Buffer
	return Execute(context.Background(), Config{Dir: dir, Study: st, Shard: sh, Resume: resume, Jobs: jobs,
		Trainer: tr, Progress: &LineProgress{W: &buf, Terminal: true}})
}

func TestExecuteOutputs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	tr := &fakeTrainer{}
	s, err := execute(t, dir, testStudy(), All, false, tr)
	if err != nil {
		t.Fatal(err)
	}
	if tr.calls.Load() != 20 || !s.Complete || s.Diverged != 5 {
		t.Fatalf("calls %d complete %v diverged %d", tr.calls.Load(), s.Complete, s.Diverged)
	}
	// The faster synthetic schedules are faster with 5 seeds; the diverging
	// one never reaches the target and is slower.
	want := []string{VerdictBaseline, VerdictFaster, VerdictFaster, VerdictSlower}
	for i, ss := range s.Schedules {
		if ss.Verdict != want[i] {
			t.Errorf("%s: verdict %q (%s), want %q", ss.Label, ss.Verdict, ss.VerdictText, want[i])
		}
	}
	if s.Schedules[3].Diverged != 5 {
		t.Errorf("diverged runs of the diverging schedule: %d", s.Schedules[3].Diverged)
	}
	checkOutputs(t, dir)
}

// checkOutputs checks that every output file exists and parses, that the
// report references only files that exist, and that the PNGs decode.
func checkOutputs(t *testing.T, dir string) {
	t.Helper()
	var s Summary
	b, err := os.ReadFile(filepath.Join(dir, SummaryJSON))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &s); err != nil || s.Study == nil || len(s.Schedules) == 0 {
		t.Fatalf("summary.json: %v", err)
	}
	if _, _, err := Load(dir); err != nil {
		t.Fatalf("results: %v", err)
	}
	csvb, err := os.ReadFile(filepath.Join(dir, SummaryCSV))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(csvb)), "\n")
	if want := 1 + len(s.Schedules)*(2*len(s.Study.Targets)+3); len(lines) != want {
		t.Errorf("summary.csv: %d lines, want %d", len(lines), want)
	}
	html, err := os.ReadFile(filepath.Join(dir, ReportHTML))
	if err != nil {
		t.Fatal(err)
	}
	refs := regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(string(html), -1)
	pngs := 0
	for _, m := range refs {
		ref := m[1]
		if strings.Contains(ref, "://") || strings.HasPrefix(ref, "/") {
			t.Errorf("report references %q, not a local file", ref)
			continue
		}
		st, err := os.Stat(filepath.Join(dir, ref))
		if err != nil || st.Size() == 0 {
			t.Errorf("report references %q: %v", ref, err)
			continue
		}
		if strings.HasSuffix(ref, ".png") {
			f, _ := os.Open(filepath.Join(dir, ref))
			if _, err := png.Decode(f); err != nil {
				t.Errorf("%s: %v", ref, err)
			}
			f.Close()
			pngs++
		}
		if strings.HasSuffix(ref, ".svg") {
			sb, _ := os.ReadFile(filepath.Join(dir, ref))
			if !bytes.Contains(sb, []byte("<svg")) {
				t.Errorf("%s is not SVG", ref)
			}
		}
	}
	if want := 2 + len(s.Schedules); pngs != want {
		t.Errorf("%d PNGs in the report, want %d", pngs, want)
	}
}

// stripTimes zeroes the wall times of results lines, which differ from one
// execution to another when the trainer is real.
func resultsLines(t *testing.T, dir string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, ResultsFile))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

func TestResume(t *testing.T) {
	root := t.TempDir()
	full := filepath.Join(root, "full")
	if _, err := execute(t, full, testStudy(), All, false, &fakeTrainer{}); err != nil {
		t.Fatal(err)
	}
	// Interrupt during the 7th run: 6 runs are finished and kept.
	part := filepath.Join(root, "part")
	ctx, cancel := context.WithCancel(context.Background())
	tr := &fakeTrainer{cancelAfter: 7, cancel: cancel}
	_, err := Execute(ctx, Config{Dir: part, Study: testStudy(), Shard: All, Trainer: tr})
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("interrupted study: %v", err)
	}
	if n := len(resultsLines(t, part)); n != 6 {
		t.Fatalf("%d finished runs after the interrupt, want 6", n)
	}
	// A kill -9 while appending leaves a torn line; resume drops it.
	f, _ := os.OpenFile(filepath.Join(part, ResultsFile), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"study":"abc","index":6,"sched`)
	f.Close()
	// Without --resume the folder is refused.
	if _, err := execute(t, part, testStudy(), All, false, &fakeTrainer{}); err == nil || !strings.Contains(err.Error(), "--resume") {
		t.Fatalf("second study into a used folder: %v", err)
	}
	tr = &fakeTrainer{}
	if _, err := execute(t, part, testStudy(), All, true, tr); err != nil {
		t.Fatal(err)
	}
	if tr.calls.Load() != 14 {
		t.Errorf("resume trained %d runs, want 14", tr.calls.Load())
	}
	a, b := resultsLines(t, full), resultsLines(t, part)
	if len(a) != len(b) {
		t.Fatalf("%d results lines after resume, want %d", len(b), len(a))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Errorf("resumed results line %d differs:\n%s\nvs\n%s", i, a[i], b[i])
		}
	}
	sa, _ := os.ReadFile(filepath.Join(full, SummaryJSON))
	sb, _ := os.ReadFile(filepath.Join(part, SummaryJSON))
	if !bytes.Equal(sa, sb) {
		t.Error("resumed summary differs")
	}
	// Resuming with a finished study trains nothing.
	tr = &fakeTrainer{}
	if _, err := execute(t, part, testStudy(), All, true, tr); err != nil || tr.calls.Load() != 0 {
		t.Errorf("resume of a finished study: %v, %d runs", err, tr.calls.Load())
	}
}

// sortedLines reads results.jsonl as a sorted list of lines with the jobs
// field, the execution's concurrency, zeroed.
func sortedLines(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, l := range resultsLines(t, dir) {
		var r Run
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		r.Jobs = 0
		b, _ := json.Marshal(&r)
		out = append(out, string(b))
	}
	sort.Strings(out)
	return out
}

// TestJobs runs the study one run at a time and three at a time, runs
// finishing out of order: the same results lines, and byte-identical
// summaries; an interrupted concurrent study resumes with another --jobs.
func TestJobs(t *testing.T) {
	root := t.TempDir()
	one, three := filepath.Join(root, "one"), filepath.Join(root, "three")
	if _, err := executeJobs(t, one, testStudy(), All, false, &fakeTrainer{jitter: true}, 1); err != nil {
		t.Fatal(err)
	}
	tr := &fakeTrainer{jitter: true}
	if _, err := executeJobs(t, three, testStudy(), All, false, tr, 3); err != nil {
		t.Fatal(err)
	}
	if n := tr.calls.Load(); n != 20 {
		t.Fatalf("--jobs 3 trained %d runs, want 20", n)
	}
	a, b := sortedLines(t, one), sortedLines(t, three)
	if strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Errorf("results lines differ between --jobs 1 and 3")
	}
	for _, f := range []string{SummaryJSON, SummaryCSV} {
		x, _ := os.ReadFile(filepath.Join(one, f))
		y, _ := os.ReadFile(filepath.Join(three, f))
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between --jobs 1 and 3", f)
		}
	}
	// Interrupt a --jobs 3 study during its 8th run; the runs in flight are
	// dropped, the finished ones kept.
	part := filepath.Join(root, "part")
	ctx, cancel := context.WithCancel(context.Background())
	_, err := Execute(ctx, Config{Dir: part, Study: testStudy(), Jobs: 3, Trainer: &fakeTrainer{jitter: true, cancelAfter: 8, cancel: cancel}})
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("interrupted study: %v", err)
	}
	kept := len(resultsLines(t, part))
	if kept < 5 || kept > 7 {
		t.Fatalf("%d runs kept after an interrupt in the 8th of 3 at once, want 5 to 7", kept)
	}
	tr = &fakeTrainer{jitter: true}
	if _, err := executeJobs(t, part, testStudy(), All, true, tr, 2); err != nil {
		t.Fatal(err)
	}
	if n := tr.calls.Load(); int(n) != 20-kept {
		t.Errorf("resume trained %d runs, want %d", n, 20-kept)
	}
	if c := sortedLines(t, part); strings.Join(a, "\n") != strings.Join(c, "\n") {
		t.Errorf("results lines of the resumed study differ")
	}
	x, _ := os.ReadFile(filepath.Join(one, SummaryJSON))
	y, _ := os.ReadFile(filepath.Join(part, SummaryJSON))
	if !bytes.Equal(x, y) {
		t.Errorf("summary of the resumed study differs")
	}
}

func TestOtherStudyRefused(t *testing.T) {
	dir := t.TempDir()
	if _, err := execute(t, dir, testStudy(), All, false, &fakeTrainer{}); err != nil {
		t.Fatal(err)
	}
	other := testStudy()
	other.Epochs = 7
	_, err := execute(t, dir, other, All, true, &fakeTrainer{})
	if !errors.Is(err, ErrOtherStudy) || !strings.Contains(err.Error(), "epochs: 6 != 7") {
		t.Fatalf("resume of another protocol: %v", err)
	}
	// Results lines of another study under a matching study.json: refused.
	dir2 := t.TempDir()
	st2 := testStudy()
	st2.Batch = 8
	if _, err := execute(t, dir2, st2, All, false, &fakeTrainer{}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir2, ResultsFile))
	os.WriteFile(filepath.Join(dir, ResultsFile), b, 0o644)
	if _, err := execute(t, dir, testStudy(), All, true, &fakeTrainer{}); !errors.Is(err, ErrOtherStudy) {
		t.Fatalf("foreign results lines: %v", err)
	}
	if _, _, err := Merge(dir2, t.TempDir()); err == nil {
		t.Fatal("merge with an empty folder accepted")
	}
	// A results file that is not ours at all.
	dir3 := t.TempDir()
	os.WriteFile(filepath.Join(dir3, ResultsFile), []byte("{\"foo\":1}\n"), 0o644)
	if _, err := execute(t, dir3, testStudy(), All, true, &fakeTrainer{}); err == nil {
		t.Fatal("foreign JSON lines accepted")
	}
}

func TestShardsMerge(t *testing.T) {
	root := t.TempDir()
	full := filepath.Join(root, "full")
	if _, err := execute(t, full, testStudy(), All, false, &fakeTrainer{}); err != nil {
		t.Fatal(err)
	}
	var dirs []string
	total := 0
	for i := 0; i < 3; i++ {
		d := filepath.Join(root, "shard", string(rune('a'+i)))
		tr := &fakeTrainer{}
		s, err := execute(t, d, testStudy(), Shard{i, 3}, false, tr)
		if err != nil {
			t.Fatal(err)
		}
		if s.Complete {
			t.Error("a shard's summary claims a complete study")
		}
		total += int(tr.calls.Load())
		dirs = append(dirs, d)
	}
	if _, err := execute(t, dirs[0], testStudy(), Shard{1, 3}, true, &fakeTrainer{}); err == nil || !strings.Contains(err.Error(), "shard 0/3") {
		t.Errorf("resuming shard 0/3's folder as 1/3: %v", err)
	}
	if total != 20 {
		t.Fatalf("shards trained %d runs, want 20", total)
	}
	st, runs, err := Merge(dirs...)
	if err != nil {
		t.Fatal(err)
	}
	merged := filepath.Join(root, "merged")
	if err := CheckWritable(merged); err != nil {
		t.Fatal(err)
	}
	if err := WriteStudy(merged, st); err != nil {
		t.Fatal(err)
	}
	if err := WriteResults(merged, runs); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteOutputs(merged, st, runs); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{ResultsFile, SummaryJSON, SummaryCSV} {
		a, _ := os.ReadFile(filepath.Join(full, f))
		b, _ := os.ReadFile(filepath.Join(merged, f))
		if !bytes.Equal(a, b) {
			t.Errorf("%s of the merged shards differs from the single study", f)
		}
	}
	checkOutputs(t, merged)
	// Merging shards of another protocol is refused.
	other := testStudy()
	other.Seeds = []int64{1, 2, 3, 4, 6}
	od := filepath.Join(root, "other")
	if _, err := execute(t, od, other, Shard{0, 3}, false, &fakeTrainer{}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Merge(dirs[0], od); !errors.Is(err, ErrOtherStudy) {
		t.Fatalf("merge of two protocols: %v", err)
	}
}

func TestShardParse(t *testing.T) {
	if sh, err := ParseShard("2/4"); err != nil || sh != (Shard{2, 4}) {
		t.Fatal(sh, err)
	}
	for _, bad := range []string{"4/4", "-1/2", "1", "a/b", "0/0", "1/2/3"} {
		if _, err := ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q) accepted", bad)
		}
	}
	st := testStudy()
	seen := map[RunKey]int{}
	for i := 0; i < 7; i++ {
		for _, k := range (Shard{i, 7}).Runs(st) {
			seen[k]++
		}
	}
	if len(seen) != len(st.Runs()) {
		t.Fatalf("shards cover %d of %d runs", len(seen), len(st.Runs()))
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("run %v in %d shards", k, n)
		}
	}
}

func TestUnwritableOut(t *testing.T) {
	if os.Getuid() == 0 {
		// root writes anywhere: use a path under a regular file instead.
		f := filepath.Join(t.TempDir(), "file")
		os.WriteFile(f, nil, 0o644)
		tr := &fakeTrainer{}
		if _, err := execute(t, filepath.Join(f, "out"), testStudy(), All, false, tr); err == nil || tr.calls.Load() != 0 {
			t.Fatalf("out under a file: %v, %d runs trained", err, tr.calls.Load())
		}
		return
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o500)
	defer os.Chmod(dir, 0o700)
	tr := &fakeTrainer{}
	if _, err := execute(t, dir, testStudy(), All, false, tr); err == nil || tr.calls.Load() != 0 {
		t.Fatalf("read-only out: %v, %d runs trained", err, tr.calls.Load())
	}
}

func TestStudyValidate(t *testing.T) {
	for name, mod := range map[string]func(*Study){
		"no schedules":   func(s *Study) { s.Schedules = nil },
		"dup schedule":   func(s *Study) { s.Schedules = []string{"a", "a"} },
		"dup seed":       func(s *Study) { s.Seeds = []int64{1, 1} },
		"target 0":       func(s *Study) { s.Targets = []float64{0} },
		"epochs 0":       func(s *Study) { s.Epochs = 0 },
		"version":        func(s *Study) { s.Version = 99 },
		"empty schedule": func(s *Study) { s.Schedules = []string{" "} },
	} {
		s := testStudy()
		mod(s)
		if err := s.Validate(); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	st := testStudy()
	st.Schedules = []string{"exponential:a", "exponential:b", "power"}
	if l := st.Labels(); l[0] != "exponential#1" || l[1] != "exponential#2" || l[2] != "power" {
		t.Errorf("labels %v", l)
	}
}

func TestFJSON(t *testing.T) {
	b, _ := json.Marshal([]F{1.5, F(math.NaN()), F(math.Inf(1))})
	if string(b) != "[1.5,null,null]" {
		t.Fatal(string(b))
	}
	var back []F
	if err := json.Unmarshal(b, &back); err != nil || back[0] != 1.5 || !math.IsNaN(float64(back[1])) {
		t.Fatal(back, err)
	}
}

func TestLineProgressETA(t *testing.T) {
	var buf bytes.Buffer
	now := time.Unix(0, 0)
	p := &LineProgress{W: &buf, Terminal: true, Now: func() time.Time { return now }}
	st := testStudy() // 6 epochs per run
	p.Start(st, 2, 3, 2)
	a, b := RunKey{0, 42}, RunKey{1, 42}
	p.RunStart(a, "constant")
	p.RunStart(b, "exponential")
	now = now.Add(time.Second)
	p.Epoch(a, Epoch{Epoch: 1, Loss: 1, ValAccuracy: 0.5, LR: 0.01})
	p.Epoch(b, Epoch{Epoch: 1, Loss: 2, ValAccuracy: 0.25, LR: 0.02})
	out := buf.String()
	// Both runs in flight are shown; 2 of 12 epochs in 1 s: 5 s to go.
	last := out[strings.LastIndex(out, "\033[J"):]
	if !strings.Contains(out, "resuming: 3 runs already finished, 2 to go") ||
		!strings.Contains(last, "constant seed 42  epoch 1/6  loss 1.0000  val_acc 0.5000") ||
		!strings.Contains(last, "exponential seed 42  epoch 1/6  loss 2.0000  val_acc 0.2500") ||
		!strings.HasSuffix(last, "study 16%: 0/2 runs done, 2 running (jobs 2)  ETA 5s") {
		t.Fatalf("progress: %q", out)
	}
	// The block of three lines is erased before it is redrawn.
	if !strings.HasSuffix(out[:len(out)-len(last)], "\r\033[2A") {
		t.Errorf("block not rewritten in place: %q", out)
	}
	// A run that diverged after 1 epoch counts its 5 missing epochs as
	// done: 7 of 12 in 1 s, 1 s to go.
	buf.Reset()
	p.RunEnd(a, &Run{Status: StatusDiverged, Epochs: make([]Epoch, 1), TestAccuracy: 0.1, Seconds: 2})
	if out := buf.String(); !strings.Contains(out, "[run 1/2] constant seed 42: diverged") || !strings.Contains(out, "ETA 1s\n") ||
		!strings.HasSuffix(out, "study 58%: 1/2 runs done, 1 running (jobs 2)  ETA 1s") || strings.Contains(out[strings.Index(out, "\n"):], "constant") {
		t.Fatalf("run end: %q", out)
	}
	// An abandoned run leaves the block without a finished line.
	buf.Reset()
	p.RunEnd(b, nil)
	if out := buf.String(); strings.Contains(out, "[run") || !strings.HasSuffix(out, "1/2 runs done, 0 running (jobs 2)  ETA 1s") {
		t.Fatalf("abandoned run: %q", out)
	}
}
