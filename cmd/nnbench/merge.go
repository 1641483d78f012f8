package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/nnrt/nnrt/bench"
)

func init() {
	register(command{name: "merge", summary: "combine the shard folders of a study into one summary and report", run: runMerge})
}

func runMerge(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("merge", stderr)
	out := fs.String("out", defaultOut, "output folder of the merged study (may be one of the shard folders)")
	partial := fs.Bool("partial", false, "write the summary even when runs are missing (they are listed)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: nnbench merge [--out DIR] SHARD_DIR...\n\nCombines the results of `nnbench --shard i/n` folders of one study (same protocol) into\nresults.jsonl, summary.json, summary.csv, plots and report.html in --out, identical to a\nsingle-machine run of the same seeds.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("no shard folders given")
	}
	st, runs, err := bench.Merge(fs.Args()...)
	if err != nil {
		return err
	}
	if missing := bench.Missing(st, runs); len(missing) > 0 && !*partial {
		return fmt.Errorf("%d of %d runs missing (%s); finish those shards (--resume) or pass --partial",
			len(missing), len(st.Runs()), strings.Join(missing, ", "))
	}
	if err := bench.CheckWritable(*out); err != nil {
		return err
	}
	if err := bench.WriteStudy(*out, st); err != nil {
		return err
	}
	if err := bench.WriteResults(*out, runs); err != nil {
		return err
	}
	s, err := bench.WriteOutputs(*out, st, runs)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "merged %d folders: %d runs\n", fs.NArg(), len(runs))
	fmt.Fprintln(stdout, bench.DataNote(st))
	fmt.Fprint(stdout, bench.Table(s))
	fmt.Fprintf(stdout, "report: %s\n", filepath.Join(*out, bench.ReportHTML))
	return nil
}
