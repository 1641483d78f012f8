package nn

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
)

// ModelConfig is the JSON saved beside the weights: the architecture and
// the training configuration.
type ModelConfig struct {
	Format     string      `json:"format"` // "nnrt.sequential/1"
	InputShape []int       `json:"input_shape"`
	Layers     []LayerSpec `json:"layers"`
	Loss       string      `json:"loss"`
	FromLogits bool        `json:"from_logits,omitempty"`
	Metrics    []string    `json:"metrics,omitempty"`
	Seed       uint64      `json:"seed"`
	Optimizer  *Optimizer  `json:"optimizer"`
	// Schedule describes the optimizer's schedule when it has one (its
	// String()); it is informational and is not restored.
	Schedule string `json:"schedule,omitempty"`
}

const configFormat = "nnrt.sequential/1"

// ConfigPath is where Save puts the JSON for a weights path: the path with
// its ".safetensors" suffix (if any) replaced by ".json".
func ConfigPath(weights string) string {
	return strings.TrimSuffix(weights, ".safetensors") + ".json"
}

// ModelConfig returns the model's architecture and training configuration.
func (m *Sequential) ModelConfig() ModelConfig {
	c := ModelConfig{Format: configFormat, InputShape: m.InputShape(), Loss: m.cfg.Loss,
		FromLogits: m.cfg.FromLogits, Metrics: m.cfg.Metrics, Seed: m.cfg.Seed, Optimizer: m.opt}
	for _, l := range m.layers {
		c.Layers = append(c.Layers, l.Spec())
	}
	if m.opt != nil && m.opt.Schedule != nil {
		c.Schedule = fmt.Sprint(m.opt.Schedule)
	}
	return c
}

// Save writes the weights to path as safetensors and the ModelConfig to
// ConfigPath(path), each through a temporary file renamed into place.
func (m *Sequential) Save(path string) error {
	if !m.built {
		return errors.New("nn: save: the model is not compiled")
	}
	cfg, err := json.MarshalIndent(m.ModelConfig(), "", "  ")
	if err != nil {
		return err
	}
	if err := m.SaveWeights(path); err != nil {
		return err
	}
	return WriteFileAtomic(ConfigPath(path), append(cfg, '\n'))
}

// SaveWeights writes every variable (trainable or not) to path as
// safetensors, F32, named as Param.Name.
func (m *Sequential) SaveWeights(path string) error {
	if !m.built {
		return errors.New("nn: save: the model is not compiled")
	}
	tensors, shapes := map[string][]float32{}, map[string][]int{}
	for _, p := range m.params {
		tensors[p.Name], shapes[p.Name] = p.Value, p.Shape
	}
	b, err := EncodeSafetensors(tensors, shapes, map[string]string{"format": "pt", "producer": "nnrt"})
	if err != nil {
		return err
	}
	return WriteFileAtomic(path, b)
}

// LoadWeights reads a safetensors file into the compiled model: every
// variable must be present with its shape and dtype F32; extra tensors are
// an error too. The model is unchanged when an error is returned.
func (m *Sequential) LoadWeights(path string) error {
	if !m.built {
		return errors.New("nn: load: the model is not compiled")
	}
	tensors, err := readSafetensors(path)
	if err != nil {
		return err
	}
	return m.setTensors(path, tensors)
}

func readSafetensors(path string) (map[string]Tensor, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	tensors, _, err := ParseSafetensors(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return tensors, nil
}

// setTensors sets the model's variables from the tensors of the file at
// path, which must hold exactly those variables, with their shapes.
func (m *Sequential) setTensors(path string, tensors map[string]Tensor) error {
	var err error
	vals := make([][]float32, len(m.params))
	for i, p := range m.params {
		t, ok := tensors[p.Name]
		if !ok {
			return fmt.Errorf("%s: no tensor %q", path, p.Name)
		}
		if !equalShape(t.Shape, p.Shape) {
			return fmt.Errorf("%s: tensor %q has shape %v, the model wants %v", path, p.Name, t.Shape, p.Shape)
		}
		if vals[i], err = t.Float32s(); err != nil {
			return fmt.Errorf("%s: tensor %q: %w", path, p.Name, err)
		}
	}
	if len(tensors) != len(m.params) {
		return fmt.Errorf("%s: %d tensors, the model has %d variables", path, len(tensors), len(m.params))
	}
	return m.SetWeights(vals)
}

func equalShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Load rebuilds a model saved by Save: it reads ConfigPath(path), builds
// and compiles the model, and loads the weights, so that Predict gives the
// same outputs as the saved model. The optimizer comes back with its
// configuration and a fresh state (and without a schedule). The layers
// may allocate no more values than the weights file holds, so a corrupt
// configuration returns an error before it asks for memory.
func Load(path string) (*Sequential, error) {
	b, err := os.ReadFile(ConfigPath(path))
	if err != nil {
		return nil, err
	}
	var c ModelConfig
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", ConfigPath(path), err)
	}
	if c.Format != configFormat {
		return nil, fmt.Errorf("%s: format %q, want %q", ConfigPath(path), c.Format, configFormat)
	}
	layers := make([]Layer, len(c.Layers))
	for i, s := range c.Layers {
		l, err := layerFromSpec(s)
		if err != nil {
			return nil, fmt.Errorf("%s: layer %d: %w", ConfigPath(path), i, err)
		}
		l.base().name = s.Name
		layers[i] = l
	}
	m := NewSequential(c.InputShape, layers...)
	if c.Optimizer == nil {
		return nil, fmt.Errorf("%s: no optimizer", ConfigPath(path))
	}
	tensors, err := readSafetensors(path)
	if err != nil {
		return nil, err
	}
	m.budget = paramBudget{limited: true}
	for _, t := range tensors {
		m.budget.left += len(t.Data) / dtypeSize[t.DType]
	}
	err = m.Compile(CompileConfig{Optimizer: c.Optimizer, Loss: c.Loss, FromLogits: c.FromLogits, Metrics: c.Metrics, Seed: c.Seed})
	m.budget = paramBudget{}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ConfigPath(path), err)
	}
	if err := m.setTensors(path, tensors); err != nil {
		return nil, err
	}
	return m, nil
}

func layerFromSpec(s LayerSpec) (Layer, error) {
	switch s.Kind {
	case "flatten":
		return Flatten(), nil
	case "dense":
		if s.Dense == nil {
			return nil, errors.New("dense layer without its configuration")
		}
		return Dense(*s.Dense), nil
	case "dropout":
		return Dropout(s.Rate, s.NoiseShape...), nil
	case "alpha_dropout":
		return AlphaDropout(s.Rate, s.NoiseShape...), nil
	case "batch_normalization":
		c := BatchNormConfig{}
		if s.BatchNorm != nil {
			c = *s.BatchNorm
		}
		return BatchNormalization(c), nil
	case "activation":
		return Activation(s.Activation), nil
	case "leaky_relu":
		if s.NegativeSlope == nil {
			return nil, errors.New("leaky_relu layer without its negative_slope")
		}
		return LeakyReLU(*s.NegativeSlope), nil
	case "normalization":
		return Normalization(), nil
	}
	return nil, fmt.Errorf("unknown layer kind %q", s.Kind)
}
