package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/nnrt/nnrt/nn"
)

// Run statuses.
const (
	StatusOK       = "ok"
	StatusDiverged = "diverged" // a NaN or infinite training loss stopped it
)

// Epoch is one epoch of a run, as Keras's History logs it.
type Epoch struct {
	Epoch       int `json:"epoch"` // 1-based
	Loss        F   `json:"loss"`  // mean training loss over the epoch
	Accuracy    F   `json:"accuracy"`
	ValLoss     F   `json:"val_loss"`
	ValAccuracy F   `json:"val_accuracy"`
	LR          F   `json:"lr"`      // learning rate of the epoch's last update
	Seconds     F   `json:"seconds"` // wall time of the epoch, validation included
}

// Run is one line of results.jsonl: a finished run.
type Run struct {
	Study        string  `json:"study"` // Study.ID of its protocol
	Index        int     `json:"index"` // position in Study.Runs
	Schedule     string  `json:"schedule"`
	Seed         int64   `json:"seed"`
	Status       string  `json:"status"`
	Epochs       []Epoch `json:"epochs"`
	TestLoss     F       `json:"test_loss"`
	TestAccuracy F       `json:"test_accuracy"`
	Seconds      F       `json:"seconds"` // wall time of the run: training, validation, test
	Threads      int     `json:"threads"` // kernel threads of the run (Study.Threads)
	// Jobs is how many runs the execution that trained this one trained
	// at once (Config.Jobs): like Seconds it describes the machine's load,
	// not the result.
	Jobs int `json:"jobs"`
}

// Result returns a copy of r without the fields that describe the machine
// rather than the result (wall times and Jobs): two executions of the same
// run, at any --jobs and --shard, have the same Result.
func (r Run) Result() Run {
	r.Seconds, r.Jobs = 0, 0
	r.Epochs = append([]Epoch(nil), r.Epochs...)
	for i := range r.Epochs {
		r.Epochs[i].Seconds = 0
	}
	return r
}

// Diverged reports whether the run stopped on a non-finite loss.
func (r *Run) Diverged() bool { return r.Status == StatusDiverged }

// File names in an output folder.
const (
	ResultsFile = "results.jsonl"
	StudyFile   = "study.json"
	SummaryJSON = "summary.json"
	SummaryCSV  = "summary.csv"
	ReportHTML  = "report.html"
)

// studyFile is study.json: the protocol of the folder's results and the
// shard it ran.
type studyFile struct {
	ID    string `json:"id"`
	Shard string `json:"shard"`
	Study *Study `json:"study"`
}

// Store is a study's results file, open for appending finished runs.
type Store struct {
	dir   string
	study *Study
	f     *os.File
	done  map[RunKey]*Run
}

// ErrOtherStudy is wrapped by the error that refuses a folder holding the
// results of another protocol.
var ErrOtherStudy = errors.New("results of another study")

// CheckWritable makes dir if needed and proves it writable by creating and
// removing a file, so that a study fails before training, not after.
func CheckWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("output folder: %w", err)
	}
	f, err := os.CreateTemp(dir, ".nnbench-probe-*")
	if err != nil {
		return fmt.Errorf("output folder %s is not writable: %w", dir, err)
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// OpenStore prepares dir for the study (shard sh of it). Without resume a
// folder that already holds finished runs is refused (so a study is never mixed
// into another by accident); with resume its study.json and every results
// line must belong to the same protocol, and the finished runs are kept. A
// torn last line (a run killed while appending) is dropped.
func OpenStore(dir string, st *Study, sh Shard, resume bool) (*Store, error) {
	if err := st.Validate(); err != nil {
		return nil, err
	}
	if err := CheckWritable(dir); err != nil {
		return nil, err
	}
	prev, err := readStudyFile(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	runs, validLen, err := readRuns(filepath.Join(dir, ResultsFile))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if !resume && len(runs) > 0 {
		return nil, fmt.Errorf("%s already holds a study (%d finished runs): use --resume to continue it, or another --out", dir, len(runs))
	}
	if resume && prev != nil {
		if d := prev.Study.Diff(st); d != nil {
			return nil, fmt.Errorf("%w in %s, refusing to resume: %s", ErrOtherStudy, dir, strings.Join(d, "; "))
		}
		if prev.Shard != sh.String() && len(runs) > 0 {
			return nil, fmt.Errorf("%s holds shard %s of the study, refusing to resume it as shard %s", dir, prev.Shard, sh)
		}
	}
	id := st.ID()
	s := &Store{dir: dir, study: st, done: map[RunKey]*Run{}}
	for _, r := range runs {
		if r.Study != id {
			return nil, fmt.Errorf("%w in %s: a run of study %s (this one is %s), refusing to resume", ErrOtherStudy, ResultsFile, r.Study, id)
		}
		k, err := st.keyOf(r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ResultsFile, err)
		}
		s.done[k] = r
	}
	if err := writeAtomic(filepath.Join(dir, StudyFile), mustJSON(studyFile{ID: id, Shard: sh.String(), Study: st})); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, ResultsFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	// Cut a torn last line so the next append starts on a line of its own.
	if err := f.Truncate(validLen); err != nil {
		f.Close()
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekEnd); err != nil {
		f.Close()
		return nil, err
	}
	s.f = f
	return s, nil
}

// keyOf checks that r is a run of s and returns its key.
func (s *Study) keyOf(r *Run) (RunKey, error) {
	runs := s.Runs()
	if r.Index < 0 || r.Index >= len(runs) {
		return RunKey{}, fmt.Errorf("run index %d outside the study's %d runs", r.Index, len(runs))
	}
	k := runs[r.Index]
	if s.Schedules[k.Schedule] != r.Schedule || k.Seed != r.Seed {
		return RunKey{}, fmt.Errorf("run %d is %q seed %d, the study has %q seed %d there", r.Index, r.Schedule, r.Seed, s.Schedules[k.Schedule], k.Seed)
	}
	return k, nil
}

// Done returns the finished run for k, or nil.
func (s *Store) Done(k RunKey) *Run { return s.done[k] }

// Append writes r as one line with a single write and syncs it, so that a
// crash leaves either the whole line or a torn tail that OpenStore drops.
func (s *Store) Append(r *Run) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if _, err := s.f.Write(b); err != nil {
		return fmt.Errorf("appending to %s: %w", ResultsFile, err)
	}
	if err := s.f.Sync(); err != nil {
		return err
	}
	k, err := s.study.keyOf(r)
	if err != nil {
		return err
	}
	s.done[k] = r
	return nil
}

// Close closes the results file.
func (s *Store) Close() error { return s.f.Close() }

// Runs returns the finished runs in canonical order.
func (s *Store) Runs() []*Run { return sortRuns(s.done) }

func sortRuns(m map[RunKey]*Run) []*Run {
	out := make([]*Run, 0, len(m))
	for _, r := range m {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Index < out[j].Index })
	return out
}

// readRuns parses a results file. It returns the runs, the length of the
// prefix made of whole lines, and an error for any malformed whole line; a
// last line without its newline is a torn write and is left out.
func readRuns(path string) ([]*Run, int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	var runs []*Run
	valid := int64(0)
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<16), 1<<26)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Bytes()
		end := valid + int64(len(text)) + 1
		if end > int64(len(b)) { // no newline: torn tail
			break
		}
		valid = end
		if len(bytes.TrimSpace(text)) == 0 {
			continue
		}
		r := new(Run)
		dec := json.NewDecoder(bytes.NewReader(text))
		dec.DisallowUnknownFields()
		if err := dec.Decode(r); err != nil {
			return nil, 0, fmt.Errorf("%s line %d: %w (not a results file of this nnbench)", path, line, err)
		}
		runs = append(runs, r)
	}
	if err := sc.Err(); err != nil {
		return nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	return runs, valid, nil
}

func readStudyFile(dir string) (*studyFile, error) {
	b, err := os.ReadFile(filepath.Join(dir, StudyFile))
	if err != nil {
		return nil, err
	}
	var sf studyFile
	if err := json.Unmarshal(b, &sf); err != nil || sf.Study == nil {
		return nil, fmt.Errorf("%w: %s/%s is not an nnbench study file", ErrOtherStudy, dir, StudyFile)
	}
	if err := sf.Study.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %s/%s: %v", ErrOtherStudy, dir, StudyFile, err)
	}
	return &sf, nil
}

// Load reads a study folder: its protocol and its finished runs in
// canonical order. Every run must belong to the protocol.
func Load(dir string) (*Study, []*Run, error) {
	sf, err := readStudyFile(dir)
	if err != nil {
		return nil, nil, err
	}
	runs, _, err := readRuns(filepath.Join(dir, ResultsFile))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, nil, err
	}
	id := sf.Study.ID()
	m := map[RunKey]*Run{}
	for _, r := range runs {
		if r.Study != id {
			return nil, nil, fmt.Errorf("%w: %s/%s holds a run of study %s, its study.json is %s", ErrOtherStudy, dir, ResultsFile, r.Study, id)
		}
		k, err := sf.Study.keyOf(r)
		if err != nil {
			return nil, nil, fmt.Errorf("%s/%s: %w", dir, ResultsFile, err)
		}
		m[k] = r
	}
	return sf.Study, sortRuns(m), nil
}

// Merge reads shard folders of one study and returns the protocol and the
// union of their runs in canonical order. Folders of different protocols
// are refused; a run present in several folders is taken from the first.
func Merge(dirs ...string) (*Study, []*Run, error) {
	if len(dirs) == 0 {
		return nil, nil, errors.New("no folders to merge")
	}
	var st *Study
	m := map[RunKey]*Run{}
	for _, d := range dirs {
		s, runs, err := Load(d)
		if err != nil {
			return nil, nil, err
		}
		if st == nil {
			st = s
		} else if diff := st.Diff(s); diff != nil {
			return nil, nil, fmt.Errorf("%w: %s and %s differ: %s", ErrOtherStudy, dirs[0], d, strings.Join(diff, "; "))
		}
		for _, r := range runs {
			k, _ := st.keyOf(r)
			if m[k] == nil {
				m[k] = r
			}
		}
	}
	return st, sortRuns(m), nil
}

// Missing lists the runs of st absent from runs, as "label seed N".
func Missing(st *Study, runs []*Run) []string {
	have := map[int]bool{}
	for _, r := range runs {
		have[r.Index] = true
	}
	labels := st.Labels()
	var out []string
	for i, k := range st.Runs() {
		if !have[i] {
			out = append(out, fmt.Sprintf("%s seed %d", labels[k.Schedule], k.Seed))
		}
	}
	return out
}

// WriteResults writes runs as a results file (merge's output), atomically.
func WriteResults(dir string, runs []*Run) error {
	var buf bytes.Buffer
	for _, r := range runs {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return writeAtomic(filepath.Join(dir, ResultsFile), buf.Bytes())
}

// WriteStudy writes study.json for st (merge's output).
func WriteStudy(dir string, st *Study) error {
	return writeAtomic(filepath.Join(dir, StudyFile), mustJSON(studyFile{ID: st.ID(), Shard: All.String(), Study: st}))
}

func mustJSON(v any) []byte {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(err)
	}
	return append(b, '\n')
}

// writeAtomic writes b over path atomically, naming path in its error.
func writeAtomic(path string, b []byte) error {
	if err := nn.WriteFileAtomic(path, b); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// finite reports whether v is neither NaN nor infinite.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
