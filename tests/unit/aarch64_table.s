# The instructions and data words whose relocations tests/unit/aarch64_table.py
# has GNU ld apply (see there).
	.text
	.globl _start
_start:
	bl far_fn
	b far_fn
	bl back_fn
	b.ne near_fn
	cbz x3, near_back
	ldr x5, lit_sym
	tbz w1, #3, tb_sym
	adr x7, adr_sym
	adr x7, adr_back
	adrp x2, page_sym
	adrp x2, page_back
	add x2, x2, :lo12:lo_sym
	ldrb w3, [x2, :lo12:lo_sym]
	ldrh w3, [x2, :lo12:h_sym]
	ldr w3, [x2, :lo12:w_sym]
	ldr x3, [x2, :lo12:x_sym]
	ldr q3, [x2, :lo12:q_sym]
	movz x4, #:abs_g0:g0_sym
	movk x4, #:abs_g0_nc:g_sym
	movz x4, #:abs_g1:g1_sym
	movk x4, #:abs_g1_nc:g_sym
	movz x4, #:abs_g2:g2_sym
	movk x4, #:abs_g2_nc:g_sym
	movk x4, #:abs_g3:g_sym
	adrp x9, :got:got_sym
	ldr x9, [x9, :got_lo12:got_sym]
	.data
	.balign 8
	.xword abs_sym + 0x10
	.word prel_sym - .
	.xword prel_sym - .
	.text
	.globl veneer
veneer:
	adrp x16, cell_sym
	ldr x16, [x16, :lo12:cell_sym]
	br x16
	brk #1
