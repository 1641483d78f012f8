// Package reg holds the regularization pieces of chapter 11 of Géron's book
// with Keras 3's exact semantics, as small values and pure state machines
// that package nn wires into its layers, optimizers and callbacks. reg never
// imports nn: every function here works on flat []float32 buffers and plain
// numbers.
//
//   - Penalties (L1, L2, L1L2): Keras adds l1*sum|w| + l2*sum w² (no 1/2) to
//     the reported loss once per step, so the gradient term is
//     l1*sign(w) + 2*l2*w.
//   - Dropout and AlphaDropout: inverted dropout on the asm kernels, with a
//     counter-based mask that depends only on (seed, offset+i).
//   - Constraints (MaxNorm, NonNeg, UnitNorm): applied to a variable after
//     every optimizer update, with Keras's epsilon 1e-7.
//   - Clip: clipnorm, clipvalue and global_clipnorm of Keras optimizers.
//   - Monitor and EarlyStopping: Keras's improvement rule and EarlyStopping's
//     per-epoch rules (patience, baseline, start_from_epoch, restoring the
//     best weights).
package reg

// Epsilon is Keras's backend.epsilon(), used by MaxNorm and UnitNorm.
const Epsilon = 1e-7
