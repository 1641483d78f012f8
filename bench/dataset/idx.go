package dataset

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// IDX is one array read from an IDX file (the format of MNIST and
// Fashion-MNIST): unsigned bytes with their dimensions, outermost first.
type IDX struct {
	Dims []int
	Data []byte // len(Data) is the product of Dims, row-major
}

// maxIDXBytes bounds the payload a header may announce (1 GiB); a corrupt
// header cannot make the reader allocate more. Fashion-MNIST's largest file
// holds 47 MB.
const maxIDXBytes = 1 << 30

// maxIDXDims bounds the number of dimensions; IDX allows 255 but nothing
// real uses more than a few, and a larger count marks a foreign file.
const maxIDXDims = 8

// ErrFormat is wrapped by every error that reports a malformed IDX stream.
var ErrFormat = errors.New("not a valid IDX file")

// ReadIDX reads one IDX array of unsigned bytes (type code 0x08) from r,
// gunzipping first when r starts with the gzip magic. The header is four
// bytes (0, 0, type, number of dimensions) followed by each dimension as a
// big-endian uint32. The payload must hold exactly the product of the
// dimensions: a short payload, trailing bytes, another type code, zero or
// too many dimensions and a payload over 1 GiB are errors wrapping ErrFormat.
// Memory grows with the bytes actually read, not with what the header claims.
func ReadIDX(r io.Reader) (*IDX, error) {
	br := bufio.NewReader(r)
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%w: gzip: %v", ErrFormat, err)
		}
		defer zr.Close()
		// Only the first gzip member is the file; concatenated members would
		// be trailing data, which the payload check below reports.
		return readIDXRaw(bufio.NewReader(zr))
	}
	return readIDXRaw(br)
}

func readIDXRaw(r io.Reader) (*IDX, error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrFormat, shortRead(err))
	}
	if head[0] != 0 || head[1] != 0 {
		return nil, fmt.Errorf("%w: magic %02x%02x is not 0000", ErrFormat, head[0], head[1])
	}
	if head[2] != 0x08 {
		return nil, fmt.Errorf("%w: element type 0x%02x, want 0x08 (unsigned byte)", ErrFormat, head[2])
	}
	nd := int(head[3])
	if nd == 0 || nd > maxIDXDims {
		return nil, fmt.Errorf("%w: %d dimensions (want 1..%d)", ErrFormat, nd, maxIDXDims)
	}
	dims := make([]int, nd)
	total := int64(1)
	for i := range dims {
		var d [4]byte
		if _, err := io.ReadFull(r, d[:]); err != nil {
			return nil, fmt.Errorf("%w: dimension %d: %v", ErrFormat, i, shortRead(err))
		}
		dims[i] = int(binary.BigEndian.Uint32(d[:]))
		total *= int64(dims[i])
		if total > maxIDXBytes {
			return nil, fmt.Errorf("%w: header announces more than %d bytes", ErrFormat, maxIDXBytes)
		}
	}
	// ReadAll through a limit grows the buffer as data arrives, so a
	// truncated file with a huge header costs only what it holds.
	data, err := io.ReadAll(io.LimitReader(r, total+1))
	if err != nil {
		return nil, fmt.Errorf("%w: payload: %v", ErrFormat, err)
	}
	switch {
	case int64(len(data)) < total:
		return nil, fmt.Errorf("%w: truncated: %d of %d payload bytes", ErrFormat, len(data), total)
	case int64(len(data)) > total:
		return nil, fmt.Errorf("%w: trailing data after %d payload bytes", ErrFormat, total)
	}
	return &IDX{Dims: dims, Data: data}, nil
}

func shortRead(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// Images holds N grayscale images of Rows x Cols pixels, row-major, one
// byte per pixel (0 white background .. 255 ink, as stored).
type Images struct {
	N, Rows, Cols int
	Pix           []byte
}

// ReadImages reads an IDX file of images (three dimensions: count, rows,
// columns), gzipped or not.
func ReadImages(r io.Reader) (*Images, error) {
	a, err := ReadIDX(r)
	if err != nil {
		return nil, err
	}
	if len(a.Dims) != 3 {
		return nil, fmt.Errorf("%w: images need 3 dimensions, file has %d", ErrFormat, len(a.Dims))
	}
	if a.Dims[1] == 0 || a.Dims[2] == 0 {
		return nil, fmt.Errorf("%w: images of %dx%d pixels", ErrFormat, a.Dims[1], a.Dims[2])
	}
	return &Images{N: a.Dims[0], Rows: a.Dims[1], Cols: a.Dims[2], Pix: a.Data}, nil
}

// ReadLabels reads an IDX file of labels (one dimension), gzipped or not.
func ReadLabels(r io.Reader) ([]byte, error) {
	a, err := ReadIDX(r)
	if err != nil {
		return nil, err
	}
	if len(a.Dims) != 1 {
		return nil, fmt.Errorf("%w: labels need 1 dimension, file has %d", ErrFormat, len(a.Dims))
	}
	return a.Data, nil
}

// WriteIDX writes a as an uncompressed IDX stream of unsigned bytes; the
// subset generator and the tests use it.
func WriteIDX(w io.Writer, a *IDX) error {
	n := 1
	for _, d := range a.Dims {
		if d < 0 || uint64(d) > 0xffffffff {
			return fmt.Errorf("dataset: dimension %d does not fit IDX", d)
		}
		n *= d
	}
	if len(a.Dims) == 0 || len(a.Dims) > 255 || n != len(a.Data) {
		return fmt.Errorf("dataset: %d dimensions for %d bytes", len(a.Dims), len(a.Data))
	}
	var buf bytes.Buffer
	buf.Write([]byte{0, 0, 0x08, byte(len(a.Dims))})
	for _, d := range a.Dims {
		binary.Write(&buf, binary.BigEndian, uint32(d))
	}
	buf.Write(a.Data)
	_, err := w.Write(buf.Bytes())
	return err
}
