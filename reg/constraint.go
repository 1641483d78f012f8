package reg

import (
	"fmt"
	"math"

	"github.com/nnrt/nnrt/asm"
)

// Constraint projects a variable after every optimizer update, as Keras's
// `variable.assign(variable.constraint(variable))`. A variable is a
// row-major matrix of len(w)/cols rows and cols columns (a Dense kernel is
// inputs x units); vectors are a single row.
type Constraint interface {
	Apply(w []float32, cols int)
	// Spec describes the constraint for saving; ParseConstraint reverses it.
	Spec() ConstraintSpec
}

// ConstraintSpec is the serializable form of a Constraint.
type ConstraintSpec struct {
	Kind     string  `json:"kind"` // "max_norm", "non_neg", "unit_norm"
	MaxValue float32 `json:"max_value,omitempty"`
	Axis     int     `json:"axis"`
}

// NewConstraint builds the constraint a spec describes.
func NewConstraint(s ConstraintSpec) (Constraint, error) {
	switch s.Kind {
	case "max_norm":
		return NewMaxNorm(s.MaxValue, s.Axis)
	case "non_neg":
		return NonNeg{}, nil
	case "unit_norm":
		return NewUnitNorm(s.Axis)
	}
	return nil, fmt.Errorf("reg: unknown constraint %q (want max_norm, non_neg or unit_norm)", s.Kind)
}

// MaxNorm is Keras's MaxNorm(max_value, axis): the norms n along Axis are
// computed and each vector is multiplied by clip(n, 0, max)/(1e-7 + n), so
// vectors under the limit still shrink by n/(n+1e-7), as in Keras. Axis 0
// (Keras's default) limits each column, the incoming weights of one unit of
// a Dense kernel; axis 1 limits each row.
type MaxNorm struct {
	MaxValue float32
	Axis     int
}

// NewMaxNorm checks maxValue > 0 and axis in {0, 1}.
func NewMaxNorm(maxValue float32, axis int) (MaxNorm, error) {
	if !(maxValue > 0) || math.IsInf(float64(maxValue), 0) {
		return MaxNorm{}, fmt.Errorf("reg: max_norm max_value must be finite and > 0, got %v", maxValue)
	}
	if axis != 0 && axis != 1 {
		return MaxNorm{}, fmt.Errorf("reg: max_norm axis must be 0 or 1, got %d", axis)
	}
	return MaxNorm{MaxValue: maxValue, Axis: axis}, nil
}

// Apply implements Constraint.
func (c MaxNorm) Apply(w []float32, cols int) {
	if c.Axis == 0 {
		asm.MaxNormCols(w, cols, c.MaxValue)
	} else {
		asm.MaxNormRows(w, cols, c.MaxValue)
	}
}

// Spec implements Constraint.
func (c MaxNorm) Spec() ConstraintSpec {
	return ConstraintSpec{Kind: "max_norm", MaxValue: c.MaxValue, Axis: c.Axis}
}

// NonNeg is Keras's NonNeg: w[i] = 0 where w[i] < 0.
type NonNeg struct{}

// Apply implements Constraint.
func (NonNeg) Apply(w []float32, _ int) {
	for i, v := range w {
		if v < 0 {
			w[i] = 0
		}
	}
}

// Spec implements Constraint.
func (NonNeg) Spec() ConstraintSpec { return ConstraintSpec{Kind: "non_neg"} }

// UnitNorm is Keras's UnitNorm(axis): each vector along Axis is divided by
// 1e-7 + its L2 norm. Axis 0 normalizes columns, axis 1 rows.
type UnitNorm struct {
	Axis int
	// norms is scratch for the column norms, grown once per shape.
	norms []float32
}

// NewUnitNorm checks axis in {0, 1}.
func NewUnitNorm(axis int) (*UnitNorm, error) {
	if axis != 0 && axis != 1 {
		return nil, fmt.Errorf("reg: unit_norm axis must be 0 or 1, got %d", axis)
	}
	return &UnitNorm{Axis: axis}, nil
}

// Apply implements Constraint.
func (c *UnitNorm) Apply(w []float32, cols int) {
	rows := len(w) / cols
	if c.Axis == 1 {
		for r := 0; r < rows; r++ {
			row := w[r*cols : (r+1)*cols]
			n := float32(math.Sqrt(float64(asm.SumSquares(row))))
			asm.Scale(1/(Epsilon+n), row)
		}
		return
	}
	if cap(c.norms) < cols {
		c.norms = make([]float32, cols)
	}
	n := c.norms[:cols]
	asm.ColNorms(n, w)
	for j := range n {
		n[j] = 1 / (Epsilon + n[j])
	}
	for r := 0; r < rows; r++ {
		asm.Mul(w[r*cols:(r+1)*cols], w[r*cols:(r+1)*cols], n)
	}
}

// Spec implements Constraint.
func (c *UnitNorm) Spec() ConstraintSpec { return ConstraintSpec{Kind: "unit_norm", Axis: c.Axis} }
