package nn

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/nnrt/nnrt/sched"
)

// FindLR runs the learning-rate range test rt on (x, y): it saves the
// weights and the optimizer state, trains one batch at a time at
// rt.LR(step) (steps counted from 0, full batches drawn from a shuffle of
// x seeded by the model's CompileConfig.Seed, reshuffled each pass), reports each batch's own loss to
// rt.Observe until it says stop, then restores the weights and optimizer
// state. Read the curve and the suggestion from rt.Points and rt.Suggest.
func FindLR(m *Sequential, x []float32, y []int32, rt *sched.RangeTest, batchSize int) error {
	if !m.built {
		return errors.New("nn: FindLR: the model is not compiled")
	}
	if rt == nil {
		return errors.New("nn: FindLR needs a range test")
	}
	if batchSize <= 0 {
		batchSize = 32
	}
	d, err := labelsDataset(x, y, prod(m.input))
	if err != nil {
		return err
	}
	if err := m.check("FindLR", d); err != nil {
		return err
	}
	weights := m.Weights()
	o := m.opt
	state := o.saveState()
	schedule := o.Schedule
	defer func() {
		o.restoreState(state)
		o.Schedule = schedule
		// The weights have the model's shapes: SetWeights cannot fail.
		_ = m.SetWeights(weights)
	}()
	o.Schedule = rt
	o.iterations = 0

	batch := min(batchSize, d.n)
	m.reserve(batch)
	in := prod(m.input)
	perm := make([]int32, d.n)
	for i := range perm {
		perm[i] = int32(i)
	}
	rng := rand.New(rand.NewPCG(m.cfg.Seed, 0x6c7266))
	for step, pos := 0, d.n; ; step++ {
		if pos+batch > d.n {
			rng.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
			pos = 0
		}
		m.gather(d, perm[pos:pos+batch])
		pos += batch
		loss, _ := m.step(m.xb[:batch*in], m.yb[:batch], nil, batch, nil)
		if rt.Observe(step, loss) {
			return nil
		}
		if step > 100*rt.Iterations()+1000 {
			return fmt.Errorf("nn: FindLR: the range test did not stop after %d steps", step+1)
		}
	}
}
