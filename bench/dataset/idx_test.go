package dataset

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"testing"
)

func encode(t testing.TB, a *IDX, gz bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.Writer = &buf
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(&buf)
		w = zw
	}
	if err := WriteIDX(w, a); err != nil {
		t.Fatal(err)
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

func TestReadIDXRoundTrip(t *testing.T) {
	a := &IDX{Dims: []int{3, 2, 2}, Data: []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255}}
	for _, gz := range []bool{false, true} {
		got, err := ReadIDX(bytes.NewReader(encode(t, a, gz)))
		if err != nil {
			t.Fatalf("gz=%v: %v", gz, err)
		}
		if len(got.Dims) != 3 || got.Dims[0] != 3 || got.Dims[1] != 2 || got.Dims[2] != 2 || !bytes.Equal(got.Data, a.Data) {
			t.Fatalf("gz=%v: got %+v", gz, got)
		}
		im, err := ReadImages(bytes.NewReader(encode(t, a, gz)))
		if err != nil || im.N != 3 || im.Rows != 2 || im.Cols != 2 {
			t.Fatalf("ReadImages: %+v %v", im, err)
		}
		if _, err := ReadLabels(bytes.NewReader(encode(t, a, gz))); !errors.Is(err, ErrFormat) {
			t.Fatalf("ReadLabels of images: %v, want ErrFormat", err)
		}
	}
	lb, err := ReadLabels(bytes.NewReader(encode(t, &IDX{Dims: []int{2}, Data: []byte{7, 9}}, true)))
	if err != nil || !bytes.Equal(lb, []byte{7, 9}) {
		t.Fatalf("ReadLabels: %v %v", lb, err)
	}
}

func TestReadIDXRejects(t *testing.T) {
	good := encode(t, &IDX{Dims: []int{2, 2}, Data: []byte{1, 2, 3, 4}}, false)
	gz := encode(t, &IDX{Dims: []int{2, 2}, Data: []byte{1, 2, 3, 4}}, true)
	cases := map[string][]byte{
		"empty":              {},
		"short header":       good[:3],
		"magic":              append([]byte{1}, good[1:]...),
		"type int32":         append([]byte{0, 0, 0x0c}, good[3:]...),
		"zero dims":          {0, 0, 8, 0},
		"too many dims":      {0, 0, 8, 9},
		"short dims":         good[:10],
		"truncated payload":  good[:len(good)-1],
		"trailing data":      append(append([]byte{}, good...), 0),
		"huge header":        {0, 0, 8, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1},
		"gzip truncated":     gz[:len(gz)-9],
		"gzip bad":           {0x1f, 0x8b, 0, 0, 0, 0},
		"text file":          []byte("hello, world\n"),
		"npz (zip) file":     []byte("PK\x03\x04rest of a zip"),
		"gzip trailing data": append(append([]byte{}, gz...), gz...),
	}
	for name, b := range cases {
		if _, err := ReadIDX(bytes.NewReader(b)); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: err = %v, want ErrFormat", name, err)
		}
	}
	if _, err := ReadImages(bytes.NewReader(encode(t, &IDX{Dims: []int{1, 0, 3}, Data: nil}, false))); !errors.Is(err, ErrFormat) {
		t.Errorf("0-row images: %v", err)
	}
}

// FuzzReadIDX checks that any input either fails with ErrFormat or yields
// an array whose payload matches its dimensions and re-encodes to the input.
func FuzzReadIDX(f *testing.F) {
	f.Add(encode(f, &IDX{Dims: []int{2, 2}, Data: []byte{1, 2, 3, 4}}, false))
	f.Add(encode(f, &IDX{Dims: []int{1, 2, 2}, Data: []byte{1, 2, 3, 4}}, true))
	f.Add([]byte{0, 0, 8, 1, 0, 0, 0, 0})
	f.Add([]byte{0, 0, 8, 2, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ReadIDX(bytes.NewReader(b))
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error %v does not wrap ErrFormat", err)
			}
			return
		}
		n := 1
		for _, d := range a.Dims {
			n *= d
		}
		if n != len(a.Data) {
			t.Fatalf("dims %v but %d bytes", a.Dims, len(a.Data))
		}
		if len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b {
			return
		}
		var buf bytes.Buffer
		if err := WriteIDX(&buf, a); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), b) {
			t.Fatalf("re-encoding differs: %x vs %x", buf.Bytes(), b)
		}
	})
}
