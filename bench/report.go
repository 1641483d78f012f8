package bench

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// DataNote is the sentence that says what data a study ran on; the CLI
// prints it as its first line and the report puts it at the top.
func DataNote(st *Study) string {
	d := st.Data
	if d.Embedded {
		return fmt.Sprintf("Data: the %s subset embedded in nnrt (%d train / %d validation / %d test images), used when no real data is found or with --data embedded; epochs and targets are reduced (%d epochs, targets %s), so the numbers are not the book's.",
			d.Kind, d.Train, d.Val, d.Test, st.Epochs, joinFloats(st.Targets))
	}
	return fmt.Sprintf("Data: %s, the book's split (%d train / %d validation / %d test images).", d.Kind, d.Train, d.Val, d.Test)
}

func joinFloats(x []float64) string {
	s := make([]string, len(x))
	for i, v := range x {
		s[i] = strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strings.Join(s, ", ")
}

var reportTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"num": func(f F, prec int) string {
		v := float64(f)
		switch {
		case math.IsInf(v, 1):
			return "never"
		case math.IsNaN(v):
			return "–"
		}
		return strconv.FormatFloat(v, 'f', prec, 64)
	},
	"signed": func(f F, prec int) string {
		if !finite(float64(f)) {
			return "–"
		}
		return strconv.FormatFloat(float64(f), 'f', prec, 64)
	},
	"pct":   func(t *float64) string { return strconv.FormatFloat(*t, 'g', -1, 64) },
	"class": func(v string) string { return strings.ReplaceAll(v, " ", "-") },
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>nnbench: do learning-rate schedules converge faster?</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:0.92em}
th,td{border:1px solid #ccc;padding:0.3em 0.6em;text-align:right}
th:first-child,td:first-child,td.l{text-align:left}
th{background:#f3f3f3}
.faster,.higher{color:#0a6b0a;font-weight:bold}.slower,.lower{color:#a00;font-weight:bold}
.note{background:#fff6d6;padding:0.6em;border-left:4px solid #e0b000}
figure{margin:1em 0}img{max-width:100%}
code{background:#f3f3f3;padding:0 0.2em}
</style></head><body>
<h1>Do learning-rate schedules converge faster?</h1>
<p class="{{if .S.Study.Data.Embedded}}note{{end}}">{{.DataNote}}</p>
{{if not .S.Complete}}<p class="note">Incomplete study: {{.S.Runs}} of {{.S.Expected}} runs. Missing: {{range $i, $m := .S.Missing}}{{if $i}}, {{end}}{{$m}}{{end}}.</p>{{end}}
{{if .S.Diverged}}<p class="note">{{.S.Diverged}} run(s) diverged (non-finite training loss); they count as never reaching a target after the divergence.</p>{{end}}

<h2>Verdicts</h2>
<p>Headline metric: epochs to {{.S.PrimaryTarget}} validation accuracy, paired by seed against <b>{{.S.Baseline}}</b>.</p>
<table><tr><th>schedule</th><th>verdict</th><th class="l">numbers</th></tr>
{{range .S.Schedules}}<tr><td>{{.Label}}</td><td class="{{class .Verdict}}">{{.Verdict}}</td><td class="l">{{.VerdictText}}</td></tr>
{{end}}</table>

<h2>Protocol</h2>
<table>
<tr><td>model</td><td class="l">{{.S.Study.Model}}</td></tr>
<tr><td>optimizer</td><td class="l"><code>{{.S.Study.Optimizer}}</code></td></tr>
<tr><td>batch size</td><td class="l">{{.S.Study.Batch}}</td></tr>
<tr><td>epochs</td><td class="l">{{.S.Study.Epochs}}</td></tr>
<tr><td>seeds</td><td class="l">{{range $i, $s := .S.Study.Seeds}}{{if $i}}, {{end}}{{$s}}{{end}}</td></tr>
<tr><td>targets</td><td class="l">{{range $i, $t := .S.Study.Targets}}{{if $i}}, {{end}}{{$t}}{{end}} validation accuracy</td></tr>
<tr><td>schedules</td><td class="l">{{range .S.Schedules}}<code>{{.Spec}}</code><br>{{end}}{{range .ScheduleNotes}}{{.}}<br>{{end}}</td></tr>
<tr><td>threads per run</td><td class="l">{{.S.Study.Threads}} kernel thread(s) per run (part of the protocol: the thread count may change how sums are split, and so the bits)</td></tr>
<tr><td>held fixed</td><td class="l">For a given seed every schedule starts from the same initial weights and sees the training data in the same order; only the schedule differs.</td></tr>
<tr><td>study id</td><td class="l">{{.S.StudyID}}</td></tr>
<tr><td>wall time</td><td class="l">{{.WallTime}}</td></tr>
<tr><td>jobs</td><td class="l">{{.Jobs}}</td></tr>
</table>

{{range $t := .S.Study.Targets}}
<h2>Time to {{$t}} validation accuracy</h2>
<table><tr><th>schedule</th><th>reached</th><th>median epochs</th><th>trimmed mean</th><th>Δ epochs vs baseline [95% CI]</th><th>P(fewer epochs) [95% CI]</th><th>verdict</th>
<th>median seconds</th><th>trimmed mean</th><th>Δ seconds [95% CI]</th><th>verdict</th></tr>
{{range $.S.Schedules}}{{$e := .Metric "epochs_to_target" $t}}{{$s := .Metric "seconds_to_target" $t}}
<tr><td>{{.Label}}</td><td>{{$e.Reached}}/{{$e.N}}</td><td>{{num $e.Median 1}}</td><td>{{num $e.TrimmedMean 2}}</td>
{{with $e.VsBaseline}}<td>{{signed .MeanDiff 2}} [{{signed .CILow 2}}, {{signed .CIHigh 2}}]</td><td>{{num .PBetter 2}} [{{num .PLow 2}}, {{num .PHigh 2}}]</td><td class="{{class .Verdict}}">{{.Verdict}}</td>{{else}}<td colspan="3">baseline</td>{{end}}
<td>{{num $s.Median 1}}</td><td>{{num $s.TrimmedMean 1}}</td>
{{with $s.VsBaseline}}<td>{{signed .MeanDiff 1}} [{{signed .CILow 1}}, {{signed .CIHigh 1}}]</td><td class="{{class .Verdict}}">{{.Verdict}}</td>{{else}}<td colspan="2">baseline</td>{{end}}</tr>
{{end}}</table>
{{end}}

<h2>Accuracy</h2>
<table><tr><th>schedule</th><th>metric</th><th>median</th><th>trimmed mean</th><th>min</th><th>max</th><th>Δ vs baseline [95% CI]</th><th>P(higher) [95% CI]</th><th>verdict</th></tr>
{{range .S.Schedules}}{{$l := .Label}}{{range .Metrics}}{{if not .Target}}
<tr><td>{{$l}}</td><td class="l">{{.Name}}</td><td>{{num .Median 4}}</td><td>{{num .TrimmedMean 4}}</td><td>{{num .Min 4}}</td><td>{{num .Max 4}}</td>
{{with .VsBaseline}}<td>{{signed .MeanDiff 4}} [{{signed .CILow 4}}, {{signed .CIHigh 4}}]</td><td>{{num .PBetter 2}} [{{num .PLow 2}}, {{num .PHigh 2}}]</td><td class="{{class .Verdict}}">{{.Verdict}}</td>{{else}}<td colspan="3">baseline</td>{{end}}</tr>
{{end}}{{end}}{{end}}</table>

<h2>Learning curves and rates</h2>
{{range .Figures}}<figure><img src="{{.PNG}}" alt="{{.Title}}"><figcaption>{{.Title}} (<a href="{{.SVG}}">SVG</a>)</figcaption></figure>
{{end}}

<h2>How to read this</h2>
<ul>
<li>Each schedule is paired with the baseline seed by seed; Δ is the mean over seeds of (schedule − baseline), with a {{.Pct}}% percentile-bootstrap interval ({{.S.Statistics.Resamples}} resamples, generator seed {{.S.Statistics.Seed}}).</li>
<li>A verdict of faster or slower needs the interval to exclude zero and at least {{.S.Statistics.MinSeeds}} paired seeds (MLPerf's count for vision); otherwise it says no detectable difference or too few seeds to tell.</li>
<li>P(fewer epochs) is the probability of improvement: the share of seeds on which the schedule beats the baseline, ties counting one half (Bouthillier et al. 2021).</li>
<li>Trimmed mean: drop the smallest and the largest value and average the rest (MLPerf). A run that never reaches a target: {{.S.Statistics.Censoring}}.</li>
<li>Each schedule runs with its own settings (by default the book's: the plateau schedule starts at twice the constant rate and 1cycle peaks at five times it), so a verdict is about the whole setting, not the decay mechanism alone; pass <code>--schedules</code> with equal base rates to separate the two.</li>
<li>Seconds count training and validation (MLPerf's time to quality), on this machine; compare them within one study only.</li>
</ul>
<p>Files: <a href="summary.json">summary.json</a>, <a href="summary.csv">summary.csv</a>, <a href="results.jsonl">results.jsonl</a>, <a href="study.json">study.json</a>.</p>
</body></html>
`))

// jobsNote says how many runs trained at once (--jobs), which is not part
// of the protocol but explains the seconds.
func jobsNote(runs []*Run) string {
	count := map[int]int{}
	for _, r := range runs {
		count[r.Jobs]++
	}
	js := make([]int, 0, len(count))
	for j := range count {
		js = append(js, j)
	}
	sort.Ints(js)
	parts := make([]string, len(js))
	for i, j := range js {
		parts[i] = fmt.Sprintf("%d run(s) trained %d at a time", count[j], j)
	}
	return strings.Join(parts, "; ") + " (--jobs: changes the seconds, not the results)"
}

// ScheduleNotes explains how 1cycle schedules span the study: the default
// is the book's preset (sched.BookPresets, cell 151) with its iterations set
// to steps per epoch x epochs, so that the cycle spans the study's epochs
// as the book's spans its 25.
func ScheduleNotes(st *Study) []string {
	steps := StepsPerEpoch(st.Data.Train, st.Batch)
	if steps < 1 {
		return nil
	}
	book := ""
	for i, n := range DefaultScheduleNames {
		if n == "onecycle" {
			book = DefaultSchedules(steps, st.Epochs)[i]
		}
	}
	labels := st.Labels()
	var notes []string
	for i, spec := range st.Schedules {
		if ScheduleName(spec) != "onecycle" {
			continue
		}
		v, ok := param(spec, "iterations")
		it, err := strconv.Atoi(v)
		if !ok || err != nil || it < 1 {
			continue
		}
		what := labels[i] + ":"
		if spec == book {
			what = labels[i] + ": the book's 1cycle preset (sched.BookPresets, cell 151) with"
		}
		if it == steps*st.Epochs {
			notes = append(notes, fmt.Sprintf("%s iterations = %d steps per epoch × %d epochs = %d, so the cycle spans the study's epochs", what, steps, st.Epochs, it))
		} else {
			notes = append(notes, fmt.Sprintf("%s iterations = %d, %.3g of the study's %d epochs of %d steps", what, it, float64(it)/float64(steps), st.Epochs, steps))
		}
	}
	return notes
}

// WriteReport writes report.html into dir from the summary and figures.
func WriteReport(dir string, s *Summary, runs []*Run, figs []Figure) error {
	var total float64
	for _, r := range runs {
		total += float64(r.Seconds)
	}
	var buf bytes.Buffer
	err := reportTmpl.Execute(&buf, map[string]any{
		"S": s, "Figures": figs, "DataNote": DataNote(s.Study),
		"Pct":           strconv.FormatFloat(100*s.Statistics.Confidence, 'g', -1, 64),
		"WallTime":      fmt.Sprintf("%.1f s of training and evaluation over %d runs (sum over runs; runs trained at once and shards overlap in time)", total, len(runs)),
		"Jobs":          jobsNote(runs),
		"ScheduleNotes": ScheduleNotes(s.Study),
	})
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, ReportHTML), buf.Bytes())
}

// WriteOutputs writes everything a study folder shows from its runs:
// summary.json, summary.csv, the plots and report.html. It returns the
// summary.
func WriteOutputs(dir string, st *Study, runs []*Run) (*Summary, error) {
	s := Summarize(st, runs)
	if err := WriteSummary(dir, s); err != nil {
		return nil, err
	}
	figs, err := WritePlots(dir, s, runs)
	if err != nil {
		return nil, err
	}
	if err := WriteReport(dir, s, runs, figs); err != nil {
		return nil, err
	}
	return s, nil
}
