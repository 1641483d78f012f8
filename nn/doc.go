// Package nn trains and runs feed-forward networks with Keras 3's
// semantics (Géron's chapter 11) on nnrt's kernels: Sgemm from blas,
// element-wise kernels from asm, regularizers from reg, learning-rate
// schedules from sched.
//
// The book's Fashion-MNIST model:
//
//	m := nn.NewSequential([]int{28, 28},
//		nn.Flatten(),
//		nn.Dense(nn.DenseConfig{Units: 300, Activation: "elu", KernelInitializer: "he_normal"}),
//		nn.Dense(nn.DenseConfig{Units: 100, Activation: "elu", KernelInitializer: "he_normal"}),
//		nn.Dense(nn.DenseConfig{Units: 10, Activation: "softmax"}),
//	)
//	err := m.Compile(nn.CompileConfig{Optimizer: nn.NewSGD(0.01), Metrics: []string{"accuracy"}, Seed: 42})
//	h, err := m.Fit(xTrain, yTrain, nn.FitConfig{Epochs: 30, BatchSize: 32,
//		ValidationX: xVal, ValidationY: yVal, Callbacks: []nn.Callback{&nn.Progress{W: os.Stdout}}})
//	ev, err := m.Evaluate(xTest, yTest, 0)
//	probs, err := m.Predict(xNew, 0)
//
// # Data
//
// Inputs are flat row-major []float32, n samples of the model's input size
// (prod of the input shape). Fit, Evaluate and TrainOnBatch take sparse
// class labels []int32; FitTargets and EvaluateTargets take dense targets
// (n x outputs) for categorical cross-entropy and MSE.
//
// # API
//
//   - Layers: Flatten, Dense(DenseConfig), Dropout(rate, noiseShape...),
//     AlphaDropout(rate, noiseShape...) (Keras's noise_shape, 0 for None:
//     the mask is drawn over it and broadcast), BatchNormalization
//     (BatchNormConfig; Trainable false freezes it in inference mode),
//     Activation(name), LeakyReLU(negativeSlope) (Keras's default slope is
//     LeakyReLUSlope, 0.3), Normalization (Keras's Normalization: Adapt it
//     to the training data after Compile).
//   - Activations: linear, relu, leaky_relu (slope 0.2), elu, selu, tanh,
//     sigmoid, softmax. Initializers: he_normal, he_uniform, glorot_normal,
//     glorot_uniform, lecun_normal, lecun_uniform, zeros, ones (normal ones
//     are Keras's truncated normal, stddev/0.87962566103423978).
//   - Losses: SparseCategoricalCrossentropy (default), CategoricalCrossentropy,
//     MeanSquaredError. A softmax output layer is fused with a cross-entropy
//     loss (computed from the logits, as TF does); otherwise probabilities are
//     renormalized and clipped to [1e-7, 1-1e-7] as Keras does;
//     CompileConfig.FromLogits for linear outputs. Metric: "accuracy".
//   - Optimizers: NewSGD, NewAdam, NewNadam, NewRMSprop (Keras defaults and
//     update rules; RMSprop with Momentum and Centered as Keras 3), with clipnorm/clipvalue/global_clipnorm (reg.Clip) and an
//     optional sched.Schedule (LR(step), step = updates done before this one;
//     sched.MomentumSchedule drives SGD/RMSprop momentum or Adam/Nadam beta_1;
//     sched.EpochObserver schedules such as sched.Plateau are fed the
//     monitored metric after each epoch).
//   - Fit(x, y, FitConfig) (*History, error): epochs, batch size, per-epoch
//     shuffle with a seed, validation data or split, callbacks. History has
//     one EpochLog per epoch: loss, accuracy, val_loss, val_accuracy,
//     learning_rate, seconds (NaN where not computed; null in JSON).
//   - Callbacks: EarlyStopping (reg.EarlyStopping, Keras 3 rules),
//     ReduceLROnPlateau (sched.Plateau), LearningRateScheduler,
//     TerminateOnNaN, CSVLogger, Progress (Keras-style progress line).
//   - TrainOnBatch: one step; allocates nothing in steady state.
//   - Profile(*StepProfile): where the steps of Fit and TrainOnBatch spend
//     their time, per layer and pass, loss, update and batch gathering
//     (StepProfile.Write prints it; `nnbench train --profile`).
//   - PredictMC: MC Dropout, mean and std of the outputs over N passes.
//   - Save/Load: weights as safetensors plus architecture and training
//     configuration as JSON beside them; SaveWeights/LoadWeights.
//   - FindLR: the LR range test (sched.RangeTest), weights and optimizer
//     state restored afterwards.
//
// # Errors
//
// Compile reports layers whose shapes do not chain and bad configurations;
// Fit reports x/y length mismatches, empty data, labels out of range and
// NaN or Inf inputs. Load and LoadWeights report corrupt, truncated or
// foreign files, and Load a configuration whose layers would need more
// values than its weights file holds, before allocating them. None of them
// panics.
//
// # Sparse inputs
//
// A Dense layer whose input is mostly zeros (one-hot or bag-of-words
// features, MNIST digits, the output of an input Dropout) multiplies it on
// its nonzeros (blas.SgemmSparse) in the forward product (batches of at
// least 128 rows) and in dW (at least 32), each when the compressed operand
// leaves at most 0.45 (forward) or 0.6 (dW) of the dense multiply-adds
// (see sparseMaxDensity in dense.go for the measurements). The result is
// the dense product's up to the grouping of the additions; the choice
// depends only on the data. A denser input still gains from its blank
// areas: blas.Sgemm leaves out the steps at which all 12 rows of one of its
// micro-panels are zero (avx512), and when the training set is at least a
// quarter zeros Fit orders each shuffled batch's samples by their extent
// and count of nonzeros (see sampleTables) so that a panel's rows share
// their blank areas. A batch's order changes only the rounding of its sums.
//
// # Image bytes on the AMX-INT8 tiles
//
// When every training value is a byte scaled to [0, 1] (k/255), Fit keeps
// the bytes and gathers batches from them. On a Linux CPU with AMX-INT8
// (blas.BytesAvailable; NNRT_ISA=avx512 turns it off) the first Dense layer,
// behind Flatten layers and at most one plain Dropout, then multiplies
// batches of at least 256 as bytes on the integer tiles, forward and dW:
// exact integer sums of the bytes by W split into four parts, one rounding;
// the error is below a float32 product's, the last bits are not the FMA
// kernels'. The tile state is asked of the OS at the first such batch.
//
// # Determinism
//
// Weights come from CompileConfig.Seed, the shuffle from FitConfig.Seed,
// dropout masks from counter-based hashes of the layer's seed and position:
// the same seeds and thread count give a bit-identical history.
package nn
