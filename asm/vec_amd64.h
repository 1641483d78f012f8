// Loop skeletons and masked loads/stores shared by vec_amd64.s and
// optim_amd64.s (the kernels of both are streams of independent vectors).
//
// A kernel is a body macro B(off, LD, ST) that processes one vector at byte
// offset off from BX in each of its streams, loading with LD(mem, reg) and
// storing with ST(reg, mem). The skeleton runs it four vectors at a time
// (unmasked) while at least four full vectors remain, then one vector at a
// time, the last one with a mask that covers the elements left: AVX-512
// masks suppress faults on the masked-out lanes and VMASKMOVPS neither
// reads nor writes them, so no access leaves the slices.
//
// Registers: CX = elements left, BX = byte offset, AX (and K1 or Y15 and
// R11 on AVX2) belong to the skeleton. The kernels use Z0-Z15 only,
// so that the closing VZEROUPPER leaves no wide state behind (it does not
// touch Z16-Z31).

// Unmasked loads and stores (both widths).
#define LDU(m, r) VMOVUPS m, r
#define STU(r, m) VMOVUPS r, m

// AVX-512 tail: K1 holds the lanes to touch; masked-out lanes load as 0.
#define LDK(m, r) VMOVUPS.Z m, K1, r
#define STK(r, m) VMOVUPS r, K1, m

// AVX2 tail: Y15 holds the lanes to touch; masked-out lanes load as 0.
#define LDM(m, r) VMASKMOVPS m, Y15, r
#define STM(r, m) VMASKMOVPS r, Y15, m

// MASK512 sets K1 to the lanes of min(CX, 16) elements (CX > 0); L is a
// label name local to the use.
#define MASK512(L) \
	MOVL $0xffff, AX; \
	CMPQ CX, $16; \
	JAE  L; \
	MOVL $1, AX; \
	SHLL CX, AX; \
	DECL AX; \
L: \
	KMOVW AX, K1

// MASK256 sets Y15 to the lanes of min(CX, 8) elements (CX > 0) from the
// table at R11, ew_mask<> (eight -1 then eight 0 words: the k-lane mask
// starts k words before the zeros).
#define MASK256(L) \
	MOVQ CX, AX; \
	CMPQ AX, $8; \
	JBE  L; \
	MOVQ $8, AX; \
L: \
	NEGQ AX; \
	VMOVDQU 32(R11)(AX*4), Y15

// EW512 runs B4 (64 elements) then B1 under K1 (16 or fewer) over CX
// elements. It ends at the label ew_done, with the vector registers dirty.
#define EW512(B4, B1) EW512AT(B4, B1, ew_loop, ew_tail, ew_full, ew_done)

// EW512AT is EW512 with its labels named by the caller, for a kernel that
// runs one of two loops.
#define EW512AT(B4, B1, LOOP, TAIL, FULL, DONE) \
	XORQ BX, BX; \
	CMPQ CX, $64; \
	JB   TAIL; \
LOOP: \
	B4; \
	ADDQ $256, BX; \
	SUBQ $64, CX; \
	CMPQ CX, $64; \
	JAE  LOOP; \
TAIL: \
	TESTQ CX, CX; \
	JLE  DONE; \
	MASK512(FULL); \
	B1; \
	ADDQ $64, BX; \
	SUBQ $16, CX; \
	JMP  TAIL; \
DONE:

// EW256 is EW512 for AVX2: B4 covers 32 elements, then B1U one full
// vector at a time, and B1 the last 1 to 7 elements under the lane mask in
// Y15 (full vectors go unmasked: a VMASKMOVPS store is slow on some AMD
// cores).
#define EW256(B4, B1U, B1) EW256AT(B4, B1U, B1, ew_loop, ew_tail, ew_last, ew_part, ew_done)

// EW256AT is EW256 with its labels named by the caller.
#define EW256AT(B4, B1U, B1, LOOP, TAIL, LAST, PART, DONE) \
	XORQ BX, BX; \
	LEAQ ew_mask<>(SB), R11; \
	CMPQ CX, $32; \
	JB   TAIL; \
LOOP: \
	B4; \
	ADDQ $128, BX; \
	SUBQ $32, CX; \
	CMPQ CX, $32; \
	JAE  LOOP; \
TAIL: \
	CMPQ CX, $8; \
	JB   LAST; \
	B1U; \
	ADDQ $32, BX; \
	SUBQ $8, CX; \
	JMP  TAIL; \
LAST: \
	TESTQ CX, CX; \
	JE   DONE; \
	MASK256(PART); \
	B1; \
DONE:

DATA ew_mask<>+0(SB)/8, $-1
DATA ew_mask<>+8(SB)/8, $-1
DATA ew_mask<>+16(SB)/8, $-1
DATA ew_mask<>+24(SB)/8, $-1
DATA ew_mask<>+32(SB)/8, $0
DATA ew_mask<>+40(SB)/8, $0
DATA ew_mask<>+48(SB)/8, $0
DATA ew_mask<>+56(SB)/8, $0
GLOBL ew_mask<>(SB), RODATA|NOPTR, $64

// Four consecutive vectors of a body, for the unrolled loop.
#define X4_512(B) B(0, LDU, STU); B(64, LDU, STU); B(128, LDU, STU); B(192, LDU, STU)
#define X4_256(B) B(0, LDU, STU); B(32, LDU, STU); B(64, LDU, STU); B(96, LDU, STU)

// Column sums. A kernel that sums the columns of a row-major matrix x down
// its rows runs COLS512 or COLS256 around its bodies: for a block of four
// vectors of columns (64 or 32), INIT4 before the rows, ROW4 for the row
// at R8 and STORE4 after the last; then, for the columns left, INIT1, ROW1
// and STORE1 a vector at a time under the lane mask (K1 or Y15: the
// loads and stores of the last vector stay inside the slices). BX is the
// block's byte offset in a row of x (SI) and in the per-column operands;
// rows are R10 bytes apart and x ends at R9. Each column gets the same
// operations, row by row, whichever block holds it. CX = columns left; R8
// and AX (and R11 on AVX2) belong to the skeleton.
#define COLS(VB, VC, MASK, INIT4, ROW4, STORE4, INIT1, ROW1, STORE1) \
	XORQ BX, BX; \
cs_block: \
	CMPQ CX, $(4*VC); \
	JB   cs_tail; \
	INIT4; \
	LEAQ (SI)(BX*1), R8; \
cs_rows: \
	CMPQ R8, R9; \
	JAE  cs_store; \
	ROW4; \
	ADDQ R10, R8; \
	JMP  cs_rows; \
cs_store: \
	STORE4; \
	ADDQ $(4*VB), BX; \
	SUBQ $(4*VC), CX; \
	JMP  cs_block; \
cs_tail: \
	TESTQ CX, CX; \
	JLE   cs_done; \
	MASK(cs_mask); \
	INIT1; \
	LEAQ (SI)(BX*1), R8; \
cs_trows: \
	CMPQ R8, R9; \
	JAE  cs_tstore; \
	ROW1; \
	ADDQ R10, R8; \
	JMP  cs_trows; \
cs_tstore: \
	STORE1; \
	ADDQ $VB, BX; \
	SUBQ $VC, CX; \
	JMP  cs_tail; \
cs_done:

#define COLS512(INIT4, ROW4, STORE4, INIT1, ROW1, STORE1) \
	COLS(64, 16, MASK512, INIT4, ROW4, STORE4, INIT1, ROW1, STORE1)
#define COLS256(INIT4, ROW4, STORE4, INIT1, ROW1, STORE1) \
	LEAQ ew_mask<>(SB), R11; \
	COLS(32, 8, MASK256, INIT4, ROW4, STORE4, INIT1, ROW1, STORE1)

// Four vectors of a block at byte offsets 0, O1, O2, O3 from (P)(BX*1):
// zeroed, loaded, stored.
#define ZERO4(A, B, C, D) \
	VXORPS A, A, A; \
	VXORPS B, B, B; \
	VXORPS C, C, C; \
	VXORPS D, D, D
#define LOAD4(O1, O2, O3, P, A, B, C, D) \
	VMOVUPS (P)(BX*1), A; \
	VMOVUPS O1(P)(BX*1), B; \
	VMOVUPS O2(P)(BX*1), C; \
	VMOVUPS O3(P)(BX*1), D
#define STORE4(O1, O2, O3, P, A, B, C, D) \
	VMOVUPS A, (P)(BX*1); \
	VMOVUPS B, O1(P)(BX*1); \
	VMOVUPS C, O2(P)(BX*1); \
	VMOVUPS D, O3(P)(BX*1)
