// Package sched provides learning-rate (and momentum) schedules as values:
// the rate an optimizer uses at an iteration, exactly as Keras 3, Géron's
// "Hands-On Machine Learning" (chapter 11 notebook) and PyTorch define them,
// plus the learning-rate range test.
//
// Steps count optimizer iterations from 0: LR(step) is the rate of the update
// made after `step` earlier updates, as Keras evaluates a LearningRateSchedule
// at optimizer.iterations before incrementing it. Schedules that act per
// epoch see epoch = step / StepsPerEpoch (integer division), which is when
// Keras's LearningRateScheduler callback sets the rate (on_epoch_begin).
//
// Rates are computed in float64 from the formulas; the optimizer (nn) rounds
// them to float32 when it uses them, as Keras stores the rate in a float32
// variable. Keras evaluates its LearningRateSchedules in float32, so their
// rates agree with these to float32 rounding (about 1e-7 relative).
// Schedules are defined for step >= 0. Schedules other than Plateau are
// immutable values, safe for concurrent use; a Plateau or RangeTest is
// state for one training run.
//
// Every schedule has a SPEC string, `name:key=value,...`, read by Parse and
// written by the schedule's String method (Parse(s.String()) gives the same
// schedule). BookPresets lists the SPECs of the book's runs.
//
// The package imports nothing of nnrt: nn asks a schedule for LR(step) before
// each update, Momentum(step) when it is a MomentumSchedule, and feeds an
// EpochObserver (reduce-on-plateau) the monitored metric after each epoch.
package sched
