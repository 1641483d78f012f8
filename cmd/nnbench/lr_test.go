package main

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"testing"
)

// sameCSV compares CSV text field by field; numbers agree to 1e-12
// relative, since arm64 fuses multiply-adds that amd64 rounds twice.
func sameCSV(got, want string) bool {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	if len(g) != len(w) {
		return false
	}
	for i := range g {
		gf, wf := strings.Split(g[i], ","), strings.Split(w[i], ",")
		if len(gf) != len(wf) {
			return false
		}
		for j := range gf {
			if gf[j] == wf[j] {
				continue
			}
			a, err1 := strconv.ParseFloat(gf[j], 64)
			b, err2 := strconv.ParseFloat(wf[j], 64)
			if err1 != nil || err2 != nil || math.Abs(a-b) > 1e-12*math.Max(1, math.Abs(b)) {
				return false
			}
		}
	}
	return true
}

func runLRCmd(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(append([]string{"lr"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func TestLRCommandCSV(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--schedule", "constant:lr0=0.5", "--steps", "3"},
			"step,lr,momentum\n0,0.5,\n1,0.5,\n2,0.5,\n"},
		{[]string{"--schedule", "piecewise:boundaries=1|2,values=3|2|1", "--steps", "4"},
			"step,lr,momentum\n0,3,\n1,3,\n2,2,\n3,1,\n"},
		{[]string{"--schedule", "exponential:lr0=1,s=1,rate=0.5,per=epoch", "--steps", "5", "--steps-per-epoch", "2"},
			"step,lr,momentum\n0,1,\n1,1,\n2,0.5,\n3,0.5,\n4,0.25,\n"},
		// PyTorch OneCycleLR, linear, 5 steps: ends at steps 1 and 4 (values of
		// its formula in Python; step 5 is past the end: held).
		{[]string{"--schedule", "onecycle-cos:max=1,total=5,pct=0.4,anneal=linear,div=4,final_div=25", "--steps", "6"},
			"step,lr,momentum\n0,0.25,0.95\n1,1,0.85\n2,0.67,0.8833333333333333\n3,0.3400000000000001,0.9166666666666666\n4,0.010000000000000009,0.95\n5,0.010000000000000009,0.95\n"},
		// Géron 1cycle, 20 iterations: half 8, last_iterations 4.
		{[]string{"--schedule", "onecycle:iterations=20,max=1,start=0.2,last_iterations=4,last=0.1", "--steps", "1"},
			"step,lr,momentum\n0,0.2,\n"},
	}
	for _, c := range cases {
		code, out, errs := runLRCmd(c.args...)
		if code != 0 || !sameCSV(out, c.want) {
			t.Errorf("lr %v: status %d, stderr %q\nstdout:\n%s\nwant:\n%s", c.args, code, errs, out, c.want)
		}
	}
}

func TestLRCommandPlateau(t *testing.T) {
	// Keras rules, patience 1: the metric of epoch e sets the rate of e+1.
	code, out, errs := runLRCmd("--schedule", "plateau:lr0=0.02,factor=0.5,patience=1", "--metrics", "1,0.9,0.95,0.97,0.5")
	want := "epoch,lr\n0,0.02\n1,0.02\n2,0.02\n3,0.01\n4,0.005\n"
	if code != 0 || !sameCSV(out, want) {
		t.Errorf("keras plateau: status %d %q\n%s\nwant\n%s", code, errs, out, want)
	}
	// PyTorch rules reduce one epoch later.
	code, out, _ = runLRCmd("--schedule", "plateau:lr0=0.02,factor=0.5,patience=1,rules=torch", "--metrics", "1,0.9,0.95,0.97,0.5")
	want = "epoch,lr\n0,0.02\n1,0.02\n2,0.02\n3,0.02\n4,0.01\n"
	if code != 0 || !sameCSV(out, want) {
		t.Errorf("torch plateau: status %d\n%s\nwant\n%s", code, out, want)
	}
	// Scaling a per-epoch exponential (0.5^epoch), 10 steps per epoch.
	code, out, errs = runLRCmd("--schedule", "plateau:scale=(exponential:lr0=1,s=1,rate=0.5,per=epoch),factor=0.5,patience=0",
		"--metrics", "1,2,0.5", "--steps-per-epoch", "10")
	want = "epoch,lr\n0,1\n1,0.5\n2,0.125\n"
	if code != 0 || !sameCSV(out, want) {
		t.Errorf("scaled plateau: status %d %q\n%s\nwant\n%s", code, errs, out, want)
	}
}

func TestLRCommandErrors(t *testing.T) {
	cases := []struct {
		args []string
		msg  string
	}{
		{[]string{"--steps", "3"}, "--schedule SPEC is required"},
		{[]string{"--schedule", "cosine:lr0=1", "--steps", "3"}, `"cosine:lr0=1": unknown schedule "cosine"`},
		{[]string{"--schedule", "power:lr0=0.01,s=0", "--steps", "3"}, `"power:lr0=0.01,s=0": s=0: s must be finite and > 0`},
		{[]string{"--schedule", "power:lr0=0.01", "--steps", "3"}, "missing required key s"},
		{[]string{"--schedule", "power:lr0=0.01,s=2,q=1", "--steps", "3"}, "q=1: unknown key q"},
		{[]string{"--schedule", "plateau:lr0=0.01,factor=2", "--metrics", "1"}, "factor=2"},
		{[]string{"--schedule", "piecewise:boundaries=2|1,values=1|2|3", "--steps", "3"}, "boundaries=1: boundaries must be strictly increasing"},
		{[]string{"--schedule", "piecewise:boundaries=1|2,values=1|2", "--steps", "3"}, "values: needs len(boundaries)+1 = 3 values, got 2"},
		{[]string{"--schedule", "exponential:lr0=1,s=2,per=epoch", "--steps", "3"}, "StepsPerEpoch"},
		{[]string{"--schedule", "constant:lr0=1"}, "--steps N (N >= 1) is required"},
		{[]string{"--schedule", "constant:lr0=1", "--steps", "2", "--metrics", "1,2"}, "--metrics applies only to plateau"},
		{[]string{"--schedule", "plateau:lr0=1", "--steps", "2"}, "give --metrics"},
		{[]string{"--schedule", "plateau:lr0=1", "--metrics", "1,x"}, `--metrics: value 1 "x" is not a number`},
		{[]string{"--schedule", "plateau:lr0=1", "--metrics", "1", "--steps", "3"}, "--steps does not apply"},
		{[]string{"--schedule", "constant:lr0=1", "--steps", "2", "extra"}, `unexpected argument "extra"`},
		{[]string{"--schedule", "constant:lr0=1", "--steps", "2", "--steps-per-epoch", "-1"}, "--steps-per-epoch must be >= 0"},
		{[]string{"--schedule", "plateau:scale=(constant:lr0=1)", "--metrics", "1"}, "give --steps-per-epoch"},
		{[]string{"--bogus"}, "flag provided but not defined"},
	}
	for _, c := range cases {
		code, out, errs := runLRCmd(c.args...)
		if code != 2 || !strings.Contains(errs, c.msg) || out != "" {
			t.Errorf("lr %v: status %d, stdout %q, stderr %q; want status 2 and %q", c.args, code, out, errs, c.msg)
		}
	}
	if code, _, _ := runLRCmd("-h"); code != 0 {
		t.Errorf("lr -h: status %d", code)
	}
}
