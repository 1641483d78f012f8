package nn

import (
	"encoding/binary"
	"math"
	"strings"
	"testing"
)

// foreign builds a file the way other writers do: header keys in another
// order, no padding, metadata first, a non-F32 tensor.
func foreign(header string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	b = append(b, header...)
	return append(b, data...)
}

func f32bytes(v ...float32) []byte {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	return b
}

func TestSafetensorsRoundTrip(t *testing.T) {
	b, err := EncodeSafetensors(map[string][]float32{"b": {1, 2}, "a": {3, 4, 5, 6, 7, 8}},
		map[string][]int{"b": {2}, "a": {2, 3}}, map[string]string{"k": "v"})
	if err != nil {
		t.Fatal(err)
	}
	if n := binary.LittleEndian.Uint64(b); (8+n)%8 != 0 {
		t.Errorf("header length %d leaves the buffer unaligned", n)
	}
	ts, md, err := ParseSafetensors(b)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := ts["a"].Float32s()
	if md["k"] != "v" || len(a) != 6 || a[5] != 8 || ts["a"].Shape[1] != 3 {
		t.Errorf("round trip: %v %v %v", ts, md, a)
	}
}

func TestSafetensorsForeign(t *testing.T) {
	data := append(append(f32bytes(1, 2, 3), 0, 0x3c), f32bytes(4)...) // F32[3], F16[1] (1.0), F32[1]
	hdr := `{"__metadata__":{"format":"pt"},"z":{"dtype":"F32","shape":[1],"data_offsets":[14,18]},` +
		`"half":{"dtype":"F16","shape":[1],"data_offsets":[12,14]},"w":{"shape":[3],"dtype":"F32","data_offsets":[0,12]}}`
	ts, md, err := ParseSafetensors(foreign(hdr, data))
	if err != nil {
		t.Fatal(err)
	}
	w, _ := ts["w"].Float32s()
	z, _ := ts["z"].Float32s()
	if md["format"] != "pt" || w[2] != 3 || z[0] != 4 || ts["half"].DType != "F16" {
		t.Errorf("parsed %v %v", ts, md)
	}
	if _, err := ts["half"].Float32s(); err == nil {
		t.Error("F16 decoded as F32")
	}
	// scalar (shape []) tensors are legal
	if _, _, err := ParseSafetensors(foreign(`{"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}`, f32bytes(1))); err != nil {
		t.Error(err)
	}
}

func TestSafetensorsCorrupt(t *testing.T) {
	good := `{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`
	for name, c := range map[string]struct {
		b    []byte
		want string
	}{
		"short":          {[]byte{1, 2}, "shorter"},
		"huge header":    {binary.LittleEndian.AppendUint64(nil, 1<<40), "exceeds"},
		"truncated hdr":  {foreign(good, f32bytes(1, 2))[:20], "truncated"},
		"truncated data": {foreign(good, f32bytes(1, 2))[:8+len(good)+5], "outside"},
		"not json":       {foreign(`{"w":`, nil), "header"},
		"not object":     {foreign(`[1,2]`, nil), "'{'"},
		"bad dtype":      {foreign(`{"w":{"dtype":"F33","shape":[2],"data_offsets":[0,8]}}`, f32bytes(1, 2)), "dtype"},
		"shape mismatch": {foreign(`{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, f32bytes(1, 2)), "needs 12 bytes"},
		"negative dim":   {foreign(`{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}`, f32bytes(1, 2)), "shape"},
		"overflow dims":  {foreign(`{"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}`, f32bytes(1, 2)), "shape"},
		"hole":           {foreign(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, f32bytes(1, 2)), "hole"},
		"overlap": {foreign(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"v":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`,
			f32bytes(1, 2)), "overlap"},
		"trailing data":  {foreign(good, f32bytes(1, 2, 3)), "belong to no tensor"},
		"extra field":    {foreign(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":1}}`, f32bytes(1, 2)), "unknown field"},
		"bad offsets":    {foreign(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[8]}}`, f32bytes(1, 2)), "2 values"},
		"bad metadata":   {foreign(`{"__metadata__":{"a":1}}`, nil), "metadata"},
		"trailing bytes": {foreign(good+"xx", f32bytes(1, 2)), "trailing"},
	} {
		_, _, err := ParseSafetensors(c.b)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", name, err, c.want)
		}
	}
}

func FuzzParseSafetensors(f *testing.F) {
	b, _ := EncodeSafetensors(map[string][]float32{"a": {1, 2, 3}, "b": {4}}, map[string][]int{"a": {3}, "b": {1}}, map[string]string{"x": "y"})
	f.Add(b)
	f.Add(foreign(`{"w":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}}`, []byte{0, 0x3c}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		ts, _, err := ParseSafetensors(b)
		if err != nil {
			return
		}
		// Whatever parses is self-consistent: sizes match shapes and dtypes.
		for name, tn := range ts {
			n := dtypeSize[tn.DType]
			for _, d := range tn.Shape {
				n *= d
			}
			if n != len(tn.Data) {
				t.Fatalf("%s: %d bytes for shape %v of %s", name, len(tn.Data), tn.Shape, tn.DType)
			}
			if tn.DType == "F32" {
				if v, err := tn.Float32s(); err != nil || len(v)*4 != len(tn.Data) {
					t.Fatalf("%s: decode %v", name, err)
				}
			}
		}
	})
}
