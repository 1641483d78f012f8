package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/nnrt/nnrt/bench"
)

func init() {
	register(command{name: "report", summary: "render summary, plots and report.html of a study folder again from its results.jsonl", run: runReport})
}

func runReport(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("report", stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: nnbench report DIR\n\nRecomputes summary.json, summary.csv, the plots and report.html of the study in DIR from its study.json and results.jsonl.")
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("want one study folder, got %d arguments", fs.NArg())
	}
	dir := fs.Arg(0)
	st, runs, err := bench.Load(dir)
	if err != nil {
		return err
	}
	if err := bench.CheckWritable(dir); err != nil {
		return err
	}
	s, err := bench.WriteOutputs(dir, st, runs)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, bench.DataNote(st))
	fmt.Fprint(stdout, bench.Table(s))
	fmt.Fprintf(stdout, "report: %s\n", filepath.Join(dir, bench.ReportHTML))
	return nil
}
