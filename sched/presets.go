package sched

import "fmt"

// Preset is one of the book's schedule runs as a SPEC.
type Preset struct {
	Name string // short name, e.g. "exponential-epoch"
	Spec string // for Parse, with the same steps per epoch
	Book string // the notebook cell, its optimizer and notes
}

// BookPresets returns the schedules of Géron's chapter 11 runs (see
// SEMANTICS.md §2) for a training run of stepsPerEpoch steps per epoch (1719
// at batch size 32, 430 at 128 on the book's 55,000 images); Parse each
// Spec with Context{StepsPerEpoch: stepsPerEpoch}. It panics if
// stepsPerEpoch <= 0.
func BookPresets(stepsPerEpoch int) []Preset {
	if stepsPerEpoch <= 0 {
		panic("sched: BookPresets needs stepsPerEpoch > 0")
	}
	n := stepsPerEpoch
	return []Preset{
		{"constant", "constant:lr0=0.01",
			"baseline: SGD's default rate 0.01, no schedule"},
		{"power", "power:lr0=0.01,s=10000,c=1",
			"cell 117: SGD(0.01, decay=1e-4), Keras's legacy decay lr/(1+1e-4*t) (Keras 3 ignores decay=)"},
		{"exponential-epoch", "exponential:lr0=0.01,s=20,rate=0.1,per=epoch",
			"cell 124: LearningRateScheduler(0.01*0.1**(epoch/20)), Nadam"},
		{"exponential", fmt.Sprintf("exponential:lr0=0.01,s=%d,rate=0.1", 20*n),
			"cells 129 (lr *= 0.1**(1/s) per batch, Nadam) and 142 (ExponentialDecay(0.01, s, 0.1), SGD); " +
				"s = 20 epochs of steps (the book's s = 20*55000//32 = 34375 floors the total, 5 less than 20*1719)"},
		{"piecewise-epoch", "piecewise:boundaries=4|14,values=0.01|0.005|0.001,per=epoch",
			"cell 135: 0.01 if epoch < 5, 0.005 if epoch < 15, else 0.001 (epoch <= 4 is epoch < 5), Nadam"},
		{"piecewise", fmt.Sprintf("piecewise:boundaries=%d|%d,values=0.01|0.005|0.001", 5*n, 15*n),
			"cell 144: PiecewiseConstantDecay([5*n, 15*n], [0.01, 0.005, 0.001]) (inclusive on the right), Nadam"},
		{"plateau", "plateau:lr0=0.02,factor=0.5,patience=5",
			"cell 139: ReduceLROnPlateau(factor=0.5, patience=5) on val_loss, SGD(0.02, momentum=0.9)"},
		{"onecycle", fmt.Sprintf("onecycle:iterations=%d,max=0.05", 25*n),
			"cell 151: OneCycleScheduler(ceil(55000/128)*25 = 10750, max_rate=0.05), SGD(1e-3 overridden), batch size 128, 25 epochs"},
	}
}
