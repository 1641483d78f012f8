package bench

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/nnrt/nnrt/bench/dataset"
	"github.com/nnrt/nnrt/nn"
	"github.com/nnrt/nnrt/sched"
)

// LRFindConfig configures a learning-rate range test on the book model.
type LRFindConfig struct {
	Optimizer string  // optimizer SPEC, as a study's
	Batch     int     // batch size (Géron: 32 by default, 128 before 1cycle)
	Epochs    int     // the test spans this many epochs of steps (Géron: 1)
	Min, Max  float64 // rate range (Géron: 1e-5 to 10)
	Seed      uint64  // initial weights and batch order
}

// LRFindResult is a finished range test and where its files went.
type LRFindResult struct {
	Points     []sched.RangePoint
	Iterations int
	Suggested  float64
	Rule       string
	Stopped    string // why the test ended
	CSV        string // file names in the output folder
	Figure     Figure
}

// LRFind runs Géron's find_learning_rate on the book model over d's
// training set with nn.FindLR and writes lrfind.csv (step, lr, loss,
// smoothed) and the loss-versus-rate plot lrfind.png/.svg into dir.
func LRFind(d *dataset.Data, cfg LRFindConfig, dir string) (*LRFindResult, error) {
	if cfg.Batch < 1 || cfg.Epochs < 1 {
		return nil, fmt.Errorf("lrfind: batch %d and epochs %d must be >= 1", cfg.Batch, cfg.Epochs)
	}
	iters := StepsPerEpoch(d.Train.N, cfg.Batch) * cfg.Epochs
	rt, err := sched.NewRangeTest(cfg.Min, cfg.Max, iters)
	if err != nil {
		return nil, err
	}
	opt, err := NewOptimizer(cfg.Optimizer, nil)
	if err != nil {
		return nil, err
	}
	m := BookModel(d.Rows, d.Cols)
	if err := m.Compile(nn.CompileConfig{Optimizer: opt, Metrics: []string{"accuracy"}, Seed: cfg.Seed}); err != nil {
		return nil, err
	}
	// The compile seed fixes both the initial weights and FindLR's batch order.
	if err := nn.FindLR(m, d.Train.X, d.Train.Y, rt, cfg.Batch); err != nil {
		return nil, err
	}
	res := &LRFindResult{Points: rt.Points(), Iterations: iters, Stopped: rt.Stopped(), CSV: "lrfind.csv"}
	res.Suggested, res.Rule = rt.Suggest()

	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"step", "lr", "loss", "smoothed"})
	pts := make([]LRFindPoint, 0, len(res.Points))
	for _, p := range res.Points {
		w.Write([]string{strconv.Itoa(p.Step), strconv.FormatFloat(p.LR, 'g', -1, 64),
			strconv.FormatFloat(p.Loss, 'g', -1, 64), strconv.FormatFloat(p.Smoothed, 'g', -1, 64)})
		pts = append(pts, LRFindPoint{LR: p.LR, Loss: p.Loss, Smoothed: p.Smoothed})
	}
	w.Flush()
	if err := writeAtomic(filepath.Join(dir, res.CSV), buf.Bytes()); err != nil {
		return nil, err
	}
	res.Figure, err = WriteLRFindPlot(dir, "lrfind", pts, res.Suggested)
	if err != nil {
		return nil, err
	}
	return res, nil
}
