package nn

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
)

// safetensors format (huggingface/safetensors): an 8-byte little-endian
// header length N, N bytes of JSON header, then the data buffer. The header
// maps each tensor name to {"dtype", "shape", "data_offsets": [begin, end)}
// relative to the buffer, plus an optional "__metadata__" of strings. The
// offsets must tile the buffer exactly (no holes, no overlaps).

// maxHeader bounds the header a reader accepts (the reference reader uses 100 MB).
const maxHeader = 100 << 20

// Tensor is one safetensors entry: its dtype, shape and raw little-endian bytes.
type Tensor struct {
	DType string
	Shape []int
	Data  []byte
}

var dtypeSize = map[string]int{
	"BOOL": 1, "U8": 1, "I8": 1, "F8_E4M3": 1, "F8_E5M2": 1,
	"I16": 2, "U16": 2, "F16": 2, "BF16": 2,
	"I32": 4, "U32": 4, "F32": 4,
	"I64": 8, "U64": 8, "F64": 8,
}

// Float32s decodes an F32 tensor.
func (t Tensor) Float32s() ([]float32, error) {
	if t.DType != "F32" {
		return nil, fmt.Errorf("safetensors: dtype %s, want F32", t.DType)
	}
	v := make([]float32, len(t.Data)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(t.Data[4*i:]))
	}
	return v, nil
}

type headerEntry struct {
	DType       string `json:"dtype"`
	Shape       []int  `json:"shape"`
	DataOffsets []int  `json:"data_offsets"`
}

// ParseSafetensors parses a whole safetensors file. It checks the header
// length, the JSON, every dtype, shape and offset pair, and that the
// offsets tile the data buffer; it never panics on malformed input.
func ParseSafetensors(b []byte) (tensors map[string]Tensor, metadata map[string]string, err error) {
	if len(b) < 8 {
		return nil, nil, errors.New("safetensors: file shorter than its 8-byte header length")
	}
	n := binary.LittleEndian.Uint64(b)
	if n > maxHeader {
		return nil, nil, fmt.Errorf("safetensors: header length %d exceeds %d", n, maxHeader)
	}
	if n > uint64(len(b)-8) {
		return nil, nil, fmt.Errorf("safetensors: header length %d but only %d bytes follow (truncated?)", n, len(b)-8)
	}
	hdr := b[8 : 8+n]
	if len(hdr) == 0 || hdr[0] != '{' {
		return nil, nil, errors.New("safetensors: header does not start with '{'")
	}
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(hdr))
	if err := dec.Decode(&raw); err != nil {
		return nil, nil, fmt.Errorf("safetensors: header: %v", err)
	}
	// Writers may pad the header with spaces to align the buffer.
	if rest := bytes.TrimRight(hdr[dec.InputOffset():], " "); len(rest) != 0 {
		return nil, nil, errors.New("safetensors: trailing bytes after the header JSON")
	}
	data := b[8+n:]
	type span struct{ lo, hi int }
	var spans []span
	tensors = map[string]Tensor{}
	for name, msg := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &metadata); err != nil {
				return nil, nil, fmt.Errorf("safetensors: __metadata__ must map strings to strings: %v", err)
			}
			continue
		}
		var e headerEntry
		d := json.NewDecoder(bytes.NewReader(msg))
		d.DisallowUnknownFields()
		if err := d.Decode(&e); err != nil {
			return nil, nil, fmt.Errorf("safetensors: tensor %q: %v", name, err)
		}
		size, ok := dtypeSize[e.DType]
		if !ok {
			return nil, nil, fmt.Errorf("safetensors: tensor %q: unknown dtype %q", name, e.DType)
		}
		if len(e.DataOffsets) != 2 {
			return nil, nil, fmt.Errorf("safetensors: tensor %q: data_offsets needs 2 values", name)
		}
		lo, hi := e.DataOffsets[0], e.DataOffsets[1]
		if lo < 0 || hi < lo || hi > len(data) {
			return nil, nil, fmt.Errorf("safetensors: tensor %q: data_offsets [%d, %d) outside the %d-byte buffer", name, lo, hi, len(data))
		}
		count := 1
		for _, dim := range e.Shape {
			if dim < 0 || (dim > 0 && count > math.MaxInt/size/dim) {
				return nil, nil, fmt.Errorf("safetensors: tensor %q: bad shape %v", name, e.Shape)
			}
			count *= dim
		}
		if count*size != hi-lo {
			return nil, nil, fmt.Errorf("safetensors: tensor %q: shape %v of %s needs %d bytes, offsets give %d", name, e.Shape, e.DType, count*size, hi-lo)
		}
		spans = append(spans, span{lo, hi})
		tensors[name] = Tensor{DType: e.DType, Shape: e.Shape, Data: data[lo:hi]}
	}
	sort.Slice(spans, func(i, j int) bool {
		return spans[i].lo < spans[j].lo || spans[i].lo == spans[j].lo && spans[i].hi < spans[j].hi
	})
	at := 0
	for _, s := range spans {
		if s.lo != at {
			return nil, nil, fmt.Errorf("safetensors: data buffer has a hole or an overlap at byte %d", at)
		}
		at = s.hi
	}
	if at != len(data) {
		return nil, nil, fmt.Errorf("safetensors: %d bytes of the data buffer belong to no tensor", len(data)-at)
	}
	return tensors, metadata, nil
}

// EncodeSafetensors writes F32 tensors (names sorted, data in that order,
// header padded with spaces to a multiple of 8 bytes) and metadata.
func EncodeSafetensors(tensors map[string][]float32, shapes map[string][]int, metadata map[string]string) ([]byte, error) {
	names := make([]string, 0, len(tensors))
	for k := range tensors {
		if k == "__metadata__" {
			return nil, errors.New("safetensors: a tensor cannot be named __metadata__")
		}
		names = append(names, k)
	}
	slices.Sort(names)
	hdr := map[string]any{}
	if len(metadata) > 0 {
		hdr["__metadata__"] = metadata
	}
	off := 0
	for _, k := range names {
		shape := shapes[k]
		if prod(shape) != len(tensors[k]) {
			return nil, fmt.Errorf("safetensors: tensor %q has %d values, shape %v", k, len(tensors[k]), shape)
		}
		hdr[k] = headerEntry{DType: "F32", Shape: shape, DataOffsets: []int{off, off + 4*len(tensors[k])}}
		off += 4 * len(tensors[k])
	}
	h, err := json.Marshal(hdr)
	if err != nil {
		return nil, err
	}
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}
	out := make([]byte, 8, 8+len(h)+off)
	binary.LittleEndian.PutUint64(out, uint64(len(h)))
	out = append(out, h...)
	for _, k := range names {
		for _, v := range tensors[k] {
			out = binary.LittleEndian.AppendUint32(out, math.Float32bits(v))
		}
	}
	return out, nil
}
