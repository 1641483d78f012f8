package main

import (
	"fmt"
	"io"
)

// genPackT8 writes gemmPackT8_AVX2: the transpose of an xn×pn block (both
// multiples of 8) in 8×8 tiles: dst[p*w+x] = src[x*sx+p]. Each tile is 16
// half-row loads, 8 of them inserts into the upper lanes, 16 in-lane
// shuffles (unpack, shuffle) and 8 row stores.
func genPackT8(w io.Writer) {
	p := func(format string, a ...any) { fmt.Fprintf(w, "\t"+format+"\n", a...) }
	const name = "gemmPackT8_AVX2"
	fmt.Fprintf(w, "// func %s(dst []float32, w int, src []float32, sx, xn, pn int)\n", name)
	fmt.Fprintf(w, "TEXT ·%s(SB), NOSPLIT, $0-80\n", name)
	packTPrologue(p, "SI")
	blocksOf8(p, name, "xn+64(FP)", "CX")
	fmt.Fprintf(w, "%s_xloop:\n", name)
	packTStripStart(p, name)
	fmt.Fprintf(w, "%s_ploop:\n", name)
	// Y_a (a < 4): columns 0-3 of rows a and a+4, one in each 128-bit
	// lane; Y_{4+a} columns 4-7. The loads place the lanes (an insert
	// from memory is a load and an operation any vector port takes), so
	// that only the in-lane shuffles are left, where transpose8 permutes
	// lanes too: paired with it in one process, 0.75-0.78 of the time on
	// blocks in L1 (32x144 of a 300-wide operand, 96x32, 32x96).
	for a, o := range []string{"", "(R8*1)", "(R8*2)", "(R9*1)"} {
		for h := 0; h < 2; h++ {
			p("VMOVUPS %d(AX)%s, X%d", 16*h, o, 4*h+a)
			p("VINSERTF128 $1, %d(BX)%s, Y%d, Y%d", 16*h, o, 4*h+a, 4*h+a)
		}
	}
	// Each half's 4x4 transposes, one in each lane: columns 0-3 into
	// Y8..Y11 (through Y12..Y15), columns 4-7 into Y12..Y15 (through
	// Y0..Y3).
	for _, r := range [][3]int{{0, 12, 8}, {4, 0, 12}} {
		transpose4InLanes(p, r[0], r[1], r[2])
	}
	p("LEAQ (R12)(R10*4), R13")
	for j, a := range []string{"(R12)", "(R12)(R10*1)", "(R12)(R10*2)", "(R12)(R11*1)", "(R13)", "(R13)(R10*1)", "(R13)(R10*2)", "(R13)(R11*1)"} {
		p("VMOVUPS Y%d, %s", 8+j, a)
	}
	p("ADDQ $32, AX")
	p("ADDQ $32, BX")
	p("LEAQ (R13)(R10*4), R12")
	p("DECQ DX")
	p("JNE %s_ploop", name)
	p("LEAQ (SI)(R8*8), SI")
	p("ADDQ $32, DI")
	p("DECQ CX")
	p("JNE %s_xloop", name)
	packTDone(w, p, name)
}

// genPackT8AVX512 writes gemmPackT8_AVX512, genPackT8's transpose with
// two rows of a tile in each ZMM register: Z_a holds rows a and a+4 (a
// row load and an insert), and two rounds of two-table permutes (VPERMI2PS)
// make the columns, two to a register: the first round gathers, from the
// registers of rows a and a+1, what columns 0-3 and 4-7 need, the second
// merges rows 0-3 with rows 4-7. That is 8 shuffle-port operations a tile
// where transpose8 (the edges' AVX2 transpose) takes 24. It takes src's rows 16 at a time
// (two tiles), so that each row of dst is written a cache line at once.
func genPackT8AVX512(w io.Writer) {
	p := func(format string, a ...any) { fmt.Fprintf(w, "\t"+format+"\n", a...) }
	const name = "gemmPackT8_AVX512"
	// The permutes' indices (0-15 the first table, 16-31 the second).
	// Round 1, registers of rows a and a+1 (a' = 0, 1), for columns 2q+t
	// with q = q0+qq: slot 8qq+4t+2h+a' takes element 8h+2q+t of table a'.
	// Round 2, columns 2q and 2q+1 (qq = q mod 2), from the round-1
	// registers of rows 0, 1 (g = 0) and 2, 3 (g = 1): slot 8t+4h+2g+a'
	// (row i = 2g+a'+4h of column 2q+t) takes element 8qq+4t+2h+a' of
	// table g.
	var idx [4][16]int
	for qq := 0; qq < 2; qq++ {
		for t := 0; t < 2; t++ {
			for h := 0; h < 2; h++ {
				for a := 0; a < 2; a++ {
					for q0 := 0; q0 < 2; q0++ {
						idx[q0][8*qq+4*t+2*h+a] = 16*a + 8*h + 2*(2*q0+qq) + t
					}
					for g := 0; g < 2; g++ {
						idx[2+qq][8*t+4*h+2*g+a] = 16*g + 8*qq + 4*t + 2*h + a
					}
				}
			}
		}
	}
	fmt.Fprintln(w, "// The permute indices of gemmPackT8_AVX512: round 1 (columns 0-3, 4-7), round 2 (even, odd pairs).")
	for v := range idx {
		for l, x := range idx[v] {
			fmt.Fprintf(w, "DATA packT8Perm<>+%d(SB)/4, $%d\n", 64*v+4*l, x)
		}
	}
	fmt.Fprintf(w, "GLOBL packT8Perm<>(SB), RODATA|NOPTR, $256\n\n")
	// tile transposes the 8x8 tile whose rows 0 and 4 start at AX and BX
	// (plus off) into Z[out]..Z[out+3], columns 2q and 2q+1 in Z[out+q],
	// with Z[in]..Z[in+7] as scratch.
	tile := func(off string, in, out int) {
		for a, o := range []string{"", "(R8*1)", "(R8*2)", "(R9*1)"} {
			p("VMOVUPS %s(AX)%s, Y%d", off, o, in+a)
			p("VINSERTF32X8 $1, %s(BX)%s, Z%d, Z%d", off, o, in+a, in+a)
		}
		// round 1: from rows 0, 1 (columns 0-3, 4-7), then rows 2, 3
		for i, r := range [][3]int{{28, 0, 1}, {29, 0, 1}, {28, 2, 3}, {29, 2, 3}} {
			p("VMOVAPS Z%d, Z%d", r[0], in+4+i)
			p("VPERMI2PS Z%d, Z%d, Z%d", in+r[2], in+r[1], in+4+i)
		}
		// round 2: columns 0-1, 2-3, 4-5, 6-7
		for i, r := range [][3]int{{30, 4, 6}, {31, 4, 6}, {30, 5, 7}, {31, 5, 7}} {
			p("VMOVAPS Z%d, Z%d", r[0], out+i)
			p("VPERMI2PS Z%d, Z%d, Z%d", in+r[2], in+r[1], out+i)
		}
	}
	dstRows := []string{"(R12)", "(R12)(R10*1)", "(R12)(R10*2)", "(R12)(R11*1)", "(R13)", "(R13)(R10*1)", "(R13)(R10*2)", "(R13)(R11*1)"}
	// strip writes the loops over the p tiles of one strip of 8 or 16 rows
	// of src: with 16, each dst row gets 16 values, a whole cache line, in
	// one store, so that no line is written in two visits (between which,
	// for a long p, it would leave L1).
	strip := func(label string, rows16 bool) {
		fmt.Fprintf(w, "%s_%s:\n", name, label)
		tile("", 0, 8)
		if rows16 { // rows 8-15: R14 holds 8 rows' stride
			p("ADDQ R14, AX")
			p("ADDQ R14, BX")
			tile("", 16, 12)
			p("SUBQ R14, AX")
			p("SUBQ R14, BX")
		}
		p("LEAQ (R12)(R10*4), R13")
		for q := 0; q < 4; q++ {
			if rows16 {
				p("VSHUFF32X4 $0x44, Z%d, Z%d, Z%d", 12+q, 8+q, 16+2*q)
				p("VSHUFF32X4 $0xEE, Z%d, Z%d, Z%d", 12+q, 8+q, 17+2*q)
				p("VMOVUPS Z%d, %s", 16+2*q, dstRows[2*q])
				p("VMOVUPS Z%d, %s", 17+2*q, dstRows[2*q+1])
				continue
			}
			p("VMOVUPS Y%d, %s", 8+q, dstRows[2*q])
			p("VEXTRACTF32X8 $1, Z%d, %s", 8+q, dstRows[2*q+1])
		}
		p("ADDQ $32, AX")
		p("ADDQ $32, BX")
		p("LEAQ (R13)(R10*4), R12")
		p("DECQ DX")
		p("JNE %s_%s", name, label)
	}
	fmt.Fprintf(w, "// func %s(dst []float32, w int, src []float32, sx, xn, pn int)\n", name)
	fmt.Fprintf(w, "TEXT ·%s(SB), NOSPLIT, $0-80\n", name)
	packTPrologue(p, "SI")
	for v := 0; v < 4; v++ {
		p("VMOVUPS packT8Perm<>+%d(SB), Z%d", 64*v, 28+v)
	}
	p("MOVQ R8, R14")
	p("SHLQ $3, R14")
	p("MOVQ xn+64(FP), CX")
	p("SHRQ $3, CX") // strips of 8 rows
	fmt.Fprintf(w, "%s_x16:\n", name)
	p("CMPQ CX, $2")
	p("JLT %s_x8", name)
	packTStripStart(p, name)
	strip("p16", true)
	p("LEAQ (SI)(R8*8), SI")
	p("LEAQ (SI)(R8*8), SI")
	p("ADDQ $64, DI")
	p("SUBQ $2, CX")
	p("JMP %s_x16", name)
	fmt.Fprintf(w, "%s_x8:\n", name)
	p("TESTQ CX, CX")
	p("JEQ %s_done", name)
	packTStripStart(p, name)
	strip("p8", false)
	packTDone(w, p, name)
}

// transpose4InLanes writes the 4x4 transposes, one in each 128-bit lane,
// of rows Y(in)..Y(in+3) into columns Y(out)..Y(out+3), through
// Y(t)..Y(t+3): unpack pairs of rows, then shuffle quads.
func transpose4InLanes(p func(string, ...any), in, t, out int) {
	p("VUNPCKLPS Y%d, Y%d, Y%d", in+1, in, t)
	p("VUNPCKHPS Y%d, Y%d, Y%d", in+1, in, t+1)
	p("VUNPCKLPS Y%d, Y%d, Y%d", in+3, in+2, t+2)
	p("VUNPCKHPS Y%d, Y%d, Y%d", in+3, in+2, t+3)
	p("VSHUFPS $0x44, Y%d, Y%d, Y%d", t+2, t, out)
	p("VSHUFPS $0xEE, Y%d, Y%d, Y%d", t+2, t, out+1)
	p("VSHUFPS $0x44, Y%d, Y%d, Y%d", t+3, t+1, out+2)
	p("VSHUFPS $0xEE, Y%d, Y%d, Y%d", t+3, t+1, out+3)
}

// packTStripStart sets up the loop over the 8-column tiles of the strip
// of src rows at SI: DX their count (pn/8; none: to name's done), AX and
// BX rows 0 and 4 at the strip's column p, R12 dst's row p at the strip's
// column x (DI).
func packTStripStart(p func(string, ...any), name string) {
	blocksOf8(p, name, "pn+72(FP)", "DX")
	p("MOVQ SI, AX")
	p("LEAQ (SI)(R8*4), BX")
	p("MOVQ DI, R12")
}

// blocksOf8 loads into reg the count of whole blocks of 8 in the
// argument arg, and leaves for name's done when there are none.
func blocksOf8(p func(string, ...any), name, arg, reg string) {
	p("MOVQ %s, %s", arg, reg)
	p("SHRQ $3, %s", reg)
	p("JEQ %s_done", name)
}

// packTPrologue loads the transposers' common arguments of func(dst
// []float32, w int, src []float32, sx int, ...): dst into DI, src into
// srcReg, and the strides in bytes, w*4 into R10 and 3*w*4 into R11, sx*4
// into R8 and 3*sx*4 into R9 (rows 0-3 of a tile are base + 0, 1, 2, 3
// strides).
func packTPrologue(p func(string, ...any), srcReg string) {
	p("MOVQ dst_base+0(FP), DI")
	p("MOVQ w+24(FP), R10")
	p("SHLQ $2, R10")
	p("LEAQ (R10)(R10*2), R11")
	p("MOVQ src_base+32(FP), %s", srcReg)
	p("MOVQ sx+56(FP), R8")
	p("SHLQ $2, R8")
	p("LEAQ (R8)(R8*2), R9")
}

// transpose8 writes the classic 24-shuffle transpose of the 8×8 block in
// Y0..Y7 (row i in Yi) into Y8..Y15 (column j in Y8+j): unpack pairs of
// rows, shuffle quads, permute 128-bit lanes.
func transpose8(p func(string, ...any)) {
	// u0..u3: the 4x4 transposes in each lane of rows 0-3 (through
	// Y8..Y11), u4..u7 of rows 4-7 (through Y12..Y15), into Y0..Y7
	transpose4InLanes(p, 0, 8, 0)
	transpose4InLanes(p, 4, 12, 4)
	// columns j = 0..3: lanes lo of u_j and u_{j+4}; j+4: lanes hi
	for j := 0; j < 4; j++ {
		p("VPERM2F128 $0x20, Y%d, Y%d, Y%d", j+4, j, 8+j)
		p("VPERM2F128 $0x31, Y%d, Y%d, Y%d", j+4, j, 12+j)
	}
}

// genPackTEdge writes gemmPackTEdge_AVX512 and gemmPackTEdge_AVX2, the
// transpose of a block of any xn and pn rows in strips of 8 rows (PackT's
// edges: the last pn%8 columns of many whole strips, or the last xn%8 rows
// of all columns), each in the 8×8 tiles of genPackT8, with column loads
// masked to the valid p of the last tile (pmask) and the last strip's row
// stores masked to its valid x (xmask). Rows past xn are not loaded: their
// lanes are never stored. One call does all the strips, which a call per
// strip made cost as much as the transposes (NT 32x100x10's 12 strips of
// 2 columns).
//
// AVX-512 keeps both masks in K registers. AVX2 has no register to spare
// (the transpose takes all 16): the load mask of the last tile is made
// before its loads in Y8 and the store mask after each transpose in Y0,
// from the bitmask (broadcast, each lane's bit, compare); with xn = 8 the
// stores are whole-vector (the columns p >= p8 of a block of whole rows,
// one of PackT's two edges).
func genPackTEdge(w io.Writer) {
	p := func(format string, a ...any) { fmt.Fprintf(w, "\t"+format+"\n", a...) }
	// vecMask makes in register y the AVX2 lane mask of the bitmask in arg.
	vecMask := func(arg, y string) {
		p("MOVL %s, R12", arg)
		p("VMOVD R12, X%s", y[1:])
		p("VPBROADCASTD X%s, %s", y[1:], y)
		p("VPAND laneBits<>+0(SB), %s, %s", y, y)
		p("VPCMPEQD laneBits<>+0(SB), %s, %s", y, y)
	}
	for _, isa := range []struct {
		name string
		// setup follows the argument loads, stripSetup starts each strip
		// of rows, tailSetup precedes a strip's last tile; load and store
		// move one row of a tile (partial: the last tile, pn%8 columns),
		// with the stores whole or masked; beforeStores follows the
		// transpose.
		setup, stripSetup, tailSetup func()
		load                         func(partial bool, addr string, y int)
		beforeStores                 func(whole bool)
		store                        func(whole bool, y int, addr string)
		// wholes: the store variants, each a copy of the loops, chosen
		// per strip (whole stores need its 8 rows)
		wholes []bool
	}{
		{
			name: "gemmPackTEdge_AVX512",
			setup: func() {
				p("MOVL pmask+84(FP), R12")
				p("KMOVW R12, K3")
				p("MOVL $0xff, R12")
				p("KMOVW R12, K1")
			},
			// K2, the store mask: whole strips, then xmask for the last.
			stripSetup: func() {
				p("KMOVW K1, K2")
				p("CMPQ CX, $8")
				p("JGE %s_k2", "gemmPackTEdge_AVX512")
				p("MOVL xmask+80(FP), R12")
				p("KMOVW R12, K2")
				fmt.Fprintf(w, "gemmPackTEdge_AVX512_k2:\n")
			},
			tailSetup: func() {},
			load: func(partial bool, addr string, y int) {
				k := "K1"
				if partial {
					k = "K3"
				}
				p("VMOVUPS.Z %s, %s, Y%d", addr, k, y)
			},
			beforeStores: func(bool) {},
			store:        func(_ bool, y int, addr string) { p("VMOVUPS Y%d, K2, %s", y, addr) },
			wholes:       []bool{false},
		},
		{
			name:       "gemmPackTEdge_AVX2",
			setup:      func() {},
			stripSetup: func() {},
			tailSetup:  func() { vecMask("pmask+84(FP)", "Y8") },
			load: func(partial bool, addr string, y int) {
				if partial {
					p("VMASKMOVPS %s, Y8, Y%d", addr, y)
				} else {
					p("VMOVUPS %s, Y%d", addr, y)
				}
			},
			beforeStores: func(whole bool) {
				if !whole {
					vecMask("xmask+80(FP)", "Y0")
				}
			},
			store: func(whole bool, y int, addr string) {
				if whole {
					p("VMOVUPS Y%d, %s", y, addr)
				} else {
					p("VMASKMOVPS Y%d, Y0, %s", y, addr)
				}
			},
			wholes: []bool{true, false},
		},
	} {
		name := isa.name
		fmt.Fprintf(w, "// func %s(dst []float32, w int, src []float32, sx, xn, pn int, xmask, pmask uint32)\n", name)
		fmt.Fprintf(w, "TEXT ·%s(SB), NOSPLIT, $0-88\n", name)
		packTPrologue(p, "AX")
		p("MOVQ xn+64(FP), CX")
		isa.setup()
		// One strip of 8 rows of src (CX of them left) a pass; the
		// arguments dst and src step to the next strip.
		fmt.Fprintf(w, "%s_strip:\n", name)
		p("MOVQ dst_base+0(FP), DI")
		p("MOVQ src_base+32(FP), AX")
		p("LEAQ (AX)(R8*4), BX")
		isa.stripSetup()
		p("MOVQ pn+72(FP), DX")
		p("MOVQ DX, SI")
		p("ANDQ $7, SI") // columns of the last, partial tile
		p("SHRQ $3, DX") // whole tiles
		rows := []string{"(AX)", "(AX)(R8*1)", "(AX)(R8*2)", "(AX)(R9*1)", "(BX)", "(BX)(R8*1)", "(BX)(R8*2)", "(BX)(R9*1)"}
		for _, whole := range isa.wholes {
			v := "m"
			if whole {
				v = "w"
			}
			if len(isa.wholes) > 1 && whole {
				p("CMPQ CX, $8")
				p("JLT %s_m", name)
			}
			tile := func(tag string, partial bool) {
				for i, a := range rows {
					if i > 0 && !whole {
						p("CMPQ CX, $%d", i)
						p("JLE %s_%s%st", name, v, tag)
					}
					isa.load(partial, a, i)
				}
				fmt.Fprintf(w, "%s_%s%st:\n", name, v, tag)
				transpose8(p)
				isa.beforeStores(whole)
				p("LEAQ (DI)(R10*4), R13")
				for j, a := range []string{"(DI)", "(DI)(R10*1)", "(DI)(R10*2)", "(DI)(R11*1)", "(R13)", "(R13)(R10*1)", "(R13)(R10*2)", "(R13)(R11*1)"} {
					if partial && j > 0 {
						p("CMPQ SI, $%d", j)
						p("JLE %s_next", name)
					}
					isa.store(whole, 8+j, a)
				}
			}
			fmt.Fprintf(w, "%s_%s:\n", name, v)
			p("TESTQ DX, DX")
			p("JEQ %s_%stail", name, v)
			fmt.Fprintf(w, "%s_%sloop:\n", name, v)
			tile("full", false)
			p("ADDQ $32, AX")
			p("ADDQ $32, BX")
			p("LEAQ (R13)(R10*4), DI")
			p("DECQ DX")
			p("JNE %s_%sloop", name, v)
			fmt.Fprintf(w, "%s_%stail:\n", name, v)
			p("TESTQ SI, SI")
			p("JEQ %s_next", name)
			isa.tailSetup()
			tile("part", true)
			p("JMP %s_next", name)
		}
		fmt.Fprintf(w, "%s_next:\n", name)
		p("ADDQ $32, dst_base+0(FP)")
		p("MOVQ R8, R12")
		p("SHLQ $3, R12")
		p("ADDQ R12, src_base+32(FP)")
		p("SUBQ $8, CX")
		p("JGT %s_strip", name)
		packTDone(w, p, name)
	}
}

// genPackRows writes gemmPackRows_AVX512, Gemm.PackRows for w <= 32: per
// row, two masked loads (zeroing: the values past valid are 0) and two
// masked stores of w values.
func genPackRows(w io.Writer) {
	p := func(format string, a ...any) { fmt.Fprintf(w, "\t"+format+"\n", a...) }
	const name = "gemmPackRows_AVX512"
	packRowsArgs(w, p, name)
	p("MOVL lmask+72(FP), AX")
	p("KMOVW AX, K1")
	p("SHRL $16, AX")
	p("KMOVW AX, K2")
	p("MOVL smask+76(FP), AX")
	p("KMOVW AX, K3")
	p("SHRL $16, AX")
	p("KMOVW AX, K4")
	p("TESTQ CX, CX")
	p("JEQ %s_done", name)
	fmt.Fprintf(w, "%s_loop:\n", name)
	p("VMOVUPS.Z (SI), K1, Z0")
	p("VMOVUPS.Z 64(SI), K2, Z1")
	p("VMOVUPS Z0, K3, (DI)")
	p("VMOVUPS Z1, K4, 64(DI)")
	p("ADDQ R9, SI")
	p("ADDQ R8, DI")
	p("DECQ CX")
	p("JNE %s_loop", name)
	packTDone(w, p, name)
}

// packRowsArgs writes the PackRows kernels' header and their loads of the
// arguments: DI dst, R8 ldd and R9 lds in bytes, SI src, CX rows.
func packRowsArgs(w io.Writer, p func(string, ...any), name string) {
	fmt.Fprintf(w, "// func %s(dst []float32, ldd int, src []float32, lds, rows int, lmask, smask uint32)\n", name)
	fmt.Fprintf(w, "TEXT ·%s(SB), NOSPLIT, $0-80\n", name)
	p("MOVQ dst_base+0(FP), DI")
	p("MOVQ ldd+24(FP), R8")
	p("SHLQ $2, R8")
	p("MOVQ src_base+32(FP), SI")
	p("MOVQ lds+56(FP), R9")
	p("SHLQ $2, R9")
	p("MOVQ rows+64(FP), CX")
}

// genPackRowsAVX2 writes gemmPackRows_AVX2, Gemm.PackRows for w <= 16:
// per row, two masked loads (VMASKMOVPS zeroes the values past valid and
// reads nothing there) and two stores of w values: whole-vector stores
// when w is 8 or 16 (a B micro-panel's width), masked stores otherwise.
// The masks are made from the bitmasks: each lane's bit, compared.
func genPackRowsAVX2(w io.Writer) {
	p := func(format string, a ...any) { fmt.Fprintf(w, "\t"+format+"\n", a...) }
	const name = "gemmPackRows_AVX2"
	packRowsArgs(w, p, name)
	p("VMOVDQU laneBits<>+0(SB), Y10")
	p("VMOVDQU laneBits<>+32(SB), Y11")
	// Y14, Y15: the load masks (lanes 0-7, 8-15); Y12, Y13: the store masks.
	for _, m := range []struct{ arg, lo, hi string }{{"lmask+72(FP)", "Y14", "Y15"}, {"smask+76(FP)", "Y12", "Y13"}} {
		p("MOVL %s, AX", m.arg)
		p("VMOVD AX, X0")
		p("VPBROADCASTD X0, Y0")
		p("VPAND Y10, Y0, Y1")
		p("VPCMPEQD Y10, Y1, %s", m.lo)
		p("VPAND Y11, Y0, Y1")
		p("VPCMPEQD Y11, Y1, %s", m.hi)
	}
	p("TESTQ CX, CX")
	p("JEQ %s_done", name)
	p("MOVL smask+76(FP), AX")
	p("CMPL AX, $0xffff")
	p("JEQ %s_w16", name)
	p("CMPL AX, $0xff")
	p("JEQ %s_w8", name)
	loop := func(label string, stores ...string) {
		fmt.Fprintf(w, "%s_%s:\n", name, label)
		p("VMASKMOVPS (SI), Y14, Y0")
		p("VMASKMOVPS 32(SI), Y15, Y1")
		for _, st := range stores {
			p("%s", st)
		}
		p("ADDQ R9, SI")
		p("ADDQ R8, DI")
		p("DECQ CX")
		p("JNE %s_%s", name, label)
		p("JMP %s_done", name)
	}
	loop("masked", "VMASKMOVPS Y0, Y12, (DI)", "VMASKMOVPS Y1, Y13, 32(DI)")
	loop("w16", "VMOVUPS Y0, (DI)", "VMOVUPS Y1, 32(DI)")
	loop("w8", "VMOVUPS Y0, (DI)")
	packTDone(w, p, name)
}

// genLaneBits writes laneBits, lane l's bit (1<<l) for l < 16: the AVX2
// kernels make a vector mask from a bitmask by broadcasting it, keeping
// each lane's bit and comparing.
func genLaneBits(w io.Writer) {
	for l := 0; l < 16; l++ {
		fmt.Fprintf(w, "DATA laneBits<>+%d(SB)/4, $%d\n", 4*l, 1<<l)
	}
	fmt.Fprintf(w, "GLOBL laneBits<>(SB), RODATA|NOPTR, $64\n\n")
}

// genFMALoops writes fmaLoopAVX512 and fmaLoopAVX2, asm.FMAPeak's loops:
// n iterations of 12 independent VFMADD231PS on the level's widest
// registers, enough accumulators to cover the FMA latency on two ports.
func genFMALoops(w io.Writer) {
	p := func(format string, a ...any) { fmt.Fprintf(w, "\t"+format+"\n", a...) }
	for _, l := range []struct {
		name, reg string
		flops     int
	}{{"fmaLoopAVX512", "Z", 12 * 16 * 2}, {"fmaLoopAVX2", "Y", 12 * 8 * 2}} {
		fmt.Fprintf(w, "// func %s(n int)\n// %d flops an iteration.\n", l.name, l.flops)
		fmt.Fprintf(w, "TEXT ·%s(SB), NOSPLIT, $0-8\n", l.name)
		p("MOVQ n+0(FP), CX")
		for r := 0; r < 14; r++ {
			p("VXORPS %s%d, %s%d, %s%d", l.reg, r, l.reg, r, l.reg, r)
		}
		p("TESTQ CX, CX")
		p("JEQ %s_done", l.name)
		fmt.Fprintf(w, "%s_loop:\n", l.name)
		for r := 0; r < 12; r++ {
			p("VFMADD231PS %s12, %s13, %s%d", l.reg, l.reg, l.reg, r)
		}
		p("DECQ CX")
		p("JNE %s_loop", l.name)
		fmt.Fprintf(w, "%s_done:\n", l.name)
		p("VZEROUPPER")
		p("RET")
		fmt.Fprintln(w)
	}
}

// packTDone writes the transposers' common exit: the label name_done, the
// return to SSE state, and the end of the function.
func packTDone(w io.Writer, p func(string, ...any), name string) {
	fmt.Fprintf(w, "%s_done:\n", name)
	p("VZEROUPPER")
	p("RET")
	fmt.Fprintln(w)
}

// genPackTGather writes gemmPackTGather_AVX512, PackT for a few columns
// of whole strips of rows (the columns p >= p8 that PackT's 8×8 tiles
// leave): each dst row is one gather of 16 rows of src's column (the
// lanes past xn masked off) and one store, where the edge transposer pays
// a whole 8×8 transpose for every 8 rows whatever the columns.
func genPackTGather(w io.Writer) {
	p := func(format string, a ...any) { fmt.Fprintf(w, "\t"+format+"\n", a...) }
	const name = "gemmPackTGather_AVX512"
	for l := 0; l < 16; l++ {
		fmt.Fprintf(w, "DATA laneIndex<>+%d(SB)/4, $%d\n", 4*l, l)
	}
	fmt.Fprintf(w, "GLOBL laneIndex<>(SB), RODATA|NOPTR, $64\n\n")
	fmt.Fprintf(w, "// func %s(dst []float32, w int, src []float32, sx, xn, pn int)\n", name)
	fmt.Fprintf(w, "TEXT ·%s(SB), NOSPLIT, $0-80\n", name)
	packTPrologue(p, "SI")
	// Z1: the rows' offsets in bytes, lane i holds i*sx*4 (PackT checks
	// that 15*sx*4 fits in 31 bits).
	p("MOVQ R8, X1")
	p("VPBROADCASTD X1, Z1")
	p("VPMULLD laneIndex<>+0(SB), Z1, Z1")
	p("SHLQ $4, R8") // 16 rows
	p("MOVQ xn+64(FP), CX")
	fmt.Fprintf(w, "%s_strip:\n", name)
	// R12: the strip's rows (all 16, or the xn%16 left).
	p("MOVL $0xffff, R12")
	p("CMPQ CX, $16")
	p("JGE %s_rows", name)
	p("MOVL $1, R12")
	p("SHLL CX, R12")
	p("DECL R12")
	fmt.Fprintf(w, "%s_rows:\n", name)
	p("MOVQ pn+72(FP), DX")
	p("MOVQ SI, AX")
	p("MOVQ DI, BX")
	fmt.Fprintf(w, "%s_col:\n", name)
	p("KMOVW R12, K1") // the gather clears its mask
	p("KMOVW R12, K2")
	p("VGATHERDPS (AX)(Z1*1), K1, Z0")
	p("VMOVUPS Z0, K2, (BX)")
	p("ADDQ $4, AX")
	p("ADDQ R10, BX")
	p("DECQ DX")
	p("JNE %s_col", name)
	p("ADDQ R8, SI")
	p("ADDQ $64, DI")
	p("SUBQ $16, CX")
	p("JGT %s_strip", name)
	packTDone(w, p, name)
}

// genPackT4 writes gemmPackT4_AVX2, PackT for a strip of 4 rows and pn
// columns, pn a multiple of 8: the last rows of a 12-row column panel
// (avx512's MR), which the edge transposer did at the cost of a whole 8x8
// tile each 8 columns, with masked stores of 16 bytes at 48-byte steps
// (0.3-0.4 µs for 4x384, twice the 8x8 tiles' time for the panel's other
// 8 rows). Per 8 columns: the 4 rows' loads, the in-lane 4x4 transposes
// (8 shuffles) and 8 stores of 16 bytes, the high lanes' by VEXTRACTF128
// to memory (a store, no shuffle port).
func genPackT4(w io.Writer) {
	p := func(format string, a ...any) { fmt.Fprintf(w, "\t"+format+"\n", a...) }
	const name = "gemmPackT4_AVX2"
	fmt.Fprintf(w, "// func %s(dst []float32, w int, src []float32, sx, pn int)\n", name)
	fmt.Fprintf(w, "TEXT ·%s(SB), NOSPLIT, $0-72\n", name)
	packTPrologue(p, "SI")
	blocksOf8(p, name, "pn+64(FP)", "CX")
	fmt.Fprintf(w, "%s_loop:\n", name)
	for r, o := range []string{"(SI)", "(SI)(R8*1)", "(SI)(R8*2)", "(SI)(R9*1)"} {
		p("VMOVUPS %s, Y%d", o, r)
	}
	// Y8+j: column j in the low lane, j+4 in the high.
	transpose4InLanes(p, 0, 4, 8)
	p("LEAQ (DI)(R10*4), R13")
	for j, a := range []string{"(DI)", "(DI)(R10*1)", "(DI)(R10*2)", "(DI)(R11*1)"} {
		p("VMOVUPS X%d, %s", 8+j, a)
	}
	for j, a := range []string{"(R13)", "(R13)(R10*1)", "(R13)(R10*2)", "(R13)(R11*1)"} {
		p("VEXTRACTF128 $1, Y%d, %s", 8+j, a)
	}
	p("ADDQ $32, SI")
	p("LEAQ (R13)(R10*4), DI")
	p("DECQ CX")
	p("JNE %s_loop", name)
	packTDone(w, p, name)
}
