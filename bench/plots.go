package bench

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"regexp"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/nnrt/nnrt/sched"
)

// palette is matplotlib's tab10: ten colors told apart on screen and in
// print (gonum's default set has two reds among its first six).
var palette = []color.NRGBA{
	{0x1f, 0x77, 0xb4, 255}, {0xff, 0x7f, 0x0e, 255}, {0x2c, 0xa0, 0x2c, 255}, {0xd6, 0x27, 0x28, 255},
	{0x94, 0x67, 0xbd, 255}, {0x8c, 0x56, 0x4b, 255}, {0xe3, 0x77, 0xc2, 255}, {0x7f, 0x7f, 0x7f, 255},
	{0xbc, 0xbd, 0x22, 255}, {0x17, 0xbe, 0xcf, 255},
}

func colorOf(i int) color.NRGBA { return palette[i%len(palette)] }

// Plot size of every figure.
const plotW, plotH = 7 * vg.Inch, 4.5 * vg.Inch

// savePlot writes p as base.png and base.svg in dir and returns the two
// file names.
func savePlot(p *plot.Plot, dir, base string) ([]string, error) {
	var names []string
	for _, ext := range []string{"png", "svg"} {
		wt, err := p.WriterTo(plotW, plotH, ext)
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		if _, err := wt.WriteTo(&buf); err != nil {
			return nil, err
		}
		name := base + "." + ext
		if err := writeAtomic(filepath.Join(dir, name), buf.Bytes()); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	return names, nil
}

// Figure is one plot written as PNG and SVG.
type Figure struct {
	Title string
	PNG   string // file name in the output folder
	SVG   string
}

// curvePlot draws one line per schedule (the median over seeds) with a
// translucent band from the minimum to the maximum over seeds.
func curvePlot(s *Summary, title, ylabel string, get func(p Point) (med, lo, hi F), dir, base string) (Figure, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = ylabel
	// Accuracy rises and loss falls: the legend goes where the curves are not.
	p.Legend.Top = ylabel != "validation accuracy"
	p.Add(plotter.NewGrid())
	for i, ss := range s.Schedules {
		var line, upper, lower plotter.XYs
		for _, pt := range ss.Curve {
			med, lo, hi := get(pt)
			if !finite(float64(med)) {
				continue
			}
			x := float64(pt.Epoch)
			line = append(line, plotter.XY{X: x, Y: float64(med)})
			upper = append(upper, plotter.XY{X: x, Y: float64(hi)})
			lower = append(lower, plotter.XY{X: x, Y: float64(lo)})
		}
		if len(line) == 0 {
			continue
		}
		c := colorOf(i)
		if len(line) > 1 {
			ring := append(append(plotter.XYs{}, upper...), reversed(lower)...)
			band, err := plotter.NewPolygon(ring)
			if err != nil {
				return Figure{}, err
			}
			band.Color = color.NRGBA{c.R, c.G, c.B, 40}
			band.LineStyle.Width = 0
			p.Add(band)
		}
		l, err := plotter.NewLine(line)
		if err != nil {
			return Figure{}, err
		}
		l.Color = c
		l.Width = vg.Points(1.5)
		l.Dashes = plotutil.Dashes(i)
		p.Add(l)
		p.Legend.Add(ss.Label, l)
	}
	names, err := savePlot(p, dir, base)
	if err != nil {
		return Figure{}, err
	}
	return Figure{Title: title, PNG: names[0], SVG: names[1]}, nil
}

func reversed(x plotter.XYs) plotter.XYs {
	out := make(plotter.XYs, len(x))
	for i, v := range x {
		out[len(x)-1-i] = v
	}
	return out
}

var unsafeName = regexp.MustCompile(`[^a-zA-Z0-9_-]+`)

// lrPlot draws the learning rate of one schedule against the epoch, on a
// log axis when every rate is positive. A schedule that depends only on the
// step is drawn per step from its SPEC (sched.Parse); one that reacts to the
// metrics (plateau), or a SPEC sched cannot read, is drawn from the rate
// each seed's run recorded at the end of each epoch.
func lrPlot(st *Study, runs []*Run, idx int, label, dir string) (Figure, error) {
	p := plot.New()
	p.Title.Text = "learning rate: " + label
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = "learning rate"
	p.Add(plotter.NewGrid())
	var series []plotter.XYs
	var names []string
	stepped := false
	spe := StepsPerEpoch(st.Data.Train, st.Batch)
	s, err := sched.Parse(st.Schedules[idx], sched.Context{StepsPerEpoch: spe})
	if _, observes := s.(sched.EpochObserver); err == nil && !observes && spe > 0 {
		total := spe * st.Epochs
		stride := max(1, total/2000)
		var xy plotter.XYs
		for step := 0; step < total; step += stride {
			xy = append(xy, plotter.XY{X: float64(step) / float64(spe), Y: s.LR(step)})
		}
		xy = append(xy, plotter.XY{X: float64(st.Epochs), Y: s.LR(total - 1)})
		series, names = append(series, xy), append(names, "rate of each update")
	} else {
		// nn logs the rate the next update would use, so the value logged
		// at the end of epoch e is the rate of epoch e+1: a post-step line.
		stepped = true
		keys := st.Runs()
		for _, r := range runs {
			if keys[r.Index].Schedule != idx {
				continue
			}
			var xy plotter.XYs
			for _, e := range r.Epochs {
				if v := float64(e.LR); finite(v) {
					xy = append(xy, plotter.XY{X: float64(e.Epoch), Y: v})
				}
			}
			if len(xy) > 0 {
				series, names = append(series, xy), append(names, fmt.Sprintf("seed %d", r.Seed))
			}
		}
	}
	positive := len(series) > 0
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, xy := range series {
		for _, v := range xy {
			positive = positive && v.Y > 0
			lo, hi = math.Min(lo, v.Y), math.Max(hi, v.Y)
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return Figure{}, err
		}
		l.Color = colorOf(i)
		l.Width = vg.Points(1.2)
		if stepped {
			l.StepStyle = plotter.PostStep
		}
		p.Add(l)
		p.Legend.Add(names[i], l)
	}
	switch {
	case positive && hi/lo >= 10:
		// A decade or more: log axis, range set because gonum would widen
		// it linearly.
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
		p.Y.Min, p.Y.Max = lo/1.25, hi*1.25
	case positive:
		p.Y.Min, p.Y.Max = 0, hi*1.25
	}
	base := fmt.Sprintf("lr-%d-%s", idx, strings.Trim(unsafeName.ReplaceAllString(label, "_"), "_"))
	files, err := savePlot(p, dir, base)
	if err != nil {
		return Figure{}, err
	}
	return Figure{Title: p.Title.Text, PNG: files[0], SVG: files[1]}, nil
}

// WritePlots writes the learning curves (validation accuracy and loss) and
// one learning-rate plot per schedule into dir and returns them.
func WritePlots(dir string, s *Summary, runs []*Run) ([]Figure, error) {
	var figs []Figure
	f, err := curvePlot(s, "validation accuracy (median over seeds, band: min to max)", "validation accuracy",
		func(p Point) (F, F, F) { return p.ValAccuracy, p.ValAccuracyMin, p.ValAccuracyMax }, dir, "val_accuracy")
	if err != nil {
		return nil, err
	}
	figs = append(figs, f)
	f, err = curvePlot(s, "validation loss (median over seeds, band: min to max)", "validation loss",
		func(p Point) (F, F, F) { return p.ValLoss, p.ValLossMin, p.ValLossMax }, dir, "val_loss")
	if err != nil {
		return nil, err
	}
	figs = append(figs, f)
	for i, ss := range s.Schedules {
		f, err := lrPlot(s.Study, runs, i, ss.Label, dir)
		if err != nil {
			return nil, err
		}
		figs = append(figs, f)
	}
	return figs, nil
}

// LRFindPoint is one batch of a learning-rate range test: the rate, the
// batch's own loss and its smoothed value (the one the test decides on).
type LRFindPoint struct {
	LR, Loss, Smoothed float64
}

// WriteLRFindPlot draws the loss against the rate on a log x axis as
// Géron's notebook does, with a horizontal line at the minimum and a
// vertical line at the suggested rate: the batch losses thin, their
// smoothed curve bold. The y axis runs from below the minimum batch loss to
// just above the highest smoothed loss before its minimum, so a divergence
// does not flatten the curve (Géron cuts at the midpoint of his first and
// minimum loss, which suits his running mean but would hide most of the
// noisier batch losses). It writes base.png and base.svg in dir.
func WriteLRFindPlot(dir, base string, pts []LRFindPoint, suggested float64) (Figure, error) {
	p := plot.New()
	p.Title.Text = "learning-rate range test"
	p.X.Label.Text = "learning rate (log scale)"
	p.Y.Label.Text = "loss"
	p.Add(plotter.NewGrid())
	var raw, smooth plotter.XYs
	minLoss := math.Inf(1)
	for _, q := range pts {
		if q.LR <= 0 {
			continue
		}
		if finite(q.Loss) {
			raw = append(raw, plotter.XY{X: q.LR, Y: q.Loss})
			minLoss = math.Min(minLoss, q.Loss)
		}
		if finite(q.Smoothed) {
			smooth = append(smooth, plotter.XY{X: q.LR, Y: q.Smoothed})
		}
	}
	if len(raw) < 2 || len(smooth) < 2 {
		return Figure{}, fmt.Errorf("range test: %d finite points, need 2 to plot", len(raw))
	}
	l, err := plotter.NewLine(raw)
	if err != nil {
		return Figure{}, err
	}
	l.Color = color.NRGBA{R: 31, G: 119, B: 180, A: 110}
	l.Width = vg.Points(0.7)
	p.Add(l)
	sl, err := plotter.NewLine(smooth)
	if err != nil {
		return Figure{}, err
	}
	sl.Color = color.NRGBA{R: 31, G: 119, B: 180, A: 255}
	sl.Width = vg.Points(2)
	p.Add(sl)
	lo, hi := raw[0].X, raw[len(raw)-1].X
	hline, _ := plotter.NewLine(plotter.XYs{{X: lo, Y: minLoss}, {X: hi, Y: minLoss}})
	hline.Color = color.Gray{Y: 100}
	hline.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	p.Add(hline)
	// Top: the highest smoothed loss before its minimum, with a margin.
	argmin := 0
	for i, q := range smooth {
		if q.Y < smooth[argmin].Y {
			argmin = i
		}
	}
	top := math.Inf(-1)
	for _, q := range smooth[:argmin+1] {
		top = math.Max(top, 1.05*q.Y)
	}
	if !(top > minLoss) {
		top = minLoss + 1
	}
	// The room below the minimum holds the legend.
	p.Y.Min, p.Y.Max = minLoss-0.3*(top-minLoss), top
	p.Legend.Add("batch loss", l)
	p.Legend.Add("smoothed", sl)
	if suggested > 0 {
		v, _ := plotter.NewLine(plotter.XYs{{X: suggested, Y: p.Y.Min}, {X: suggested, Y: top}})
		v.Color = color.NRGBA{R: 214, G: 39, B: 40, A: 255}
		v.Width = vg.Points(1.5)
		p.Add(v)
		p.Legend.Add(fmt.Sprintf("suggested %.3g", suggested), v)
	}
	p.Legend.Left, p.Legend.Top = true, false
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	p.X.Min, p.X.Max = lo, hi
	names, err := savePlot(p, dir, base)
	if err != nil {
		return Figure{}, err
	}
	return Figure{Title: p.Title.Text, PNG: names[0], SVG: names[1]}, nil
}
