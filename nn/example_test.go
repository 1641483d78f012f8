package nn_test

import (
	"fmt"
	"os"

	"github.com/nnrt/nnrt/bench/dataset"
	"github.com/nnrt/nnrt/nn"
	"github.com/nnrt/nnrt/reg"
	"github.com/nnrt/nnrt/sched"
)

// The book's model (Géron, chapter 11) with He initialization, ELU,
// early stopping and a performance-scheduled learning rate.
func Example() {
	d, err := dataset.Load(dataset.Options{})
	if err != nil {
		panic(err)
	}
	m := nn.NewSequential([]int{28, 28},
		nn.Flatten(),
		nn.Dense(nn.DenseConfig{Units: 300, Activation: "elu", KernelInitializer: "he_normal"}),
		nn.Dropout(0.2),
		nn.Dense(nn.DenseConfig{Units: 100, Activation: "elu", KernelInitializer: "he_normal",
			KernelRegularizer: reg.L2(1e-4)}),
		nn.Dense(nn.DenseConfig{Units: 10, Activation: "softmax"}),
	)
	opt := nn.NewSGD(0.02)
	opt.Momentum = 0.9
	if err := m.Compile(nn.CompileConfig{Optimizer: opt, Metrics: []string{"accuracy"}, Seed: 42}); err != nil {
		panic(err)
	}
	plateau := sched.KerasPlateau()
	plateau.Factor, plateau.Patience = 0.5, 5
	rlrop, err := nn.NewReduceLROnPlateau(plateau)
	if err != nil {
		panic(err)
	}
	stop, err := nn.EarlyStopping(reg.EarlyStoppingConfig{Patience: 10, RestoreBest: true})
	if err != nil {
		panic(err)
	}
	h, err := m.Fit(d.Train.X, d.Train.Y, nn.FitConfig{Epochs: 25, BatchSize: 32, Seed: 42,
		ValidationX: d.Val.X, ValidationY: d.Val.Y,
		Callbacks: []nn.Callback{&nn.Progress{W: os.Stdout}, rlrop, stop}})
	if err != nil {
		panic(err)
	}
	ev, err := m.Evaluate(d.Test.X, d.Test.Y, 0)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%d epochs, test accuracy %.4f\n", len(h.Epochs), ev.Accuracy)
	if err := m.Save("fashion.safetensors"); err != nil {
		panic(err)
	}
}
