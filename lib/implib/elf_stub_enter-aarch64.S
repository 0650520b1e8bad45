// implib/elf_stub_enter-aarch64.S — __rtlink_stub_enter for aarch64 lazy-loading
// stubs (elf_stubs_aarch64.cpp); see elf_stub_resolve.c.
//
// Entered by a branch from a stub: x16 the library, x17 the index; x30 the
// stub's caller's return address. Saved: x0-x8 (x8 the indirect result
// location) and q0-q7.
.text
.weak __rtlink_stub_enter
.hidden __rtlink_stub_enter
.type __rtlink_stub_enter, %function
.p2align 4
__rtlink_stub_enter:
.cfi_startproc
  stp x29, x30, [sp, #-224]!
.cfi_def_cfa_offset 224
.cfi_offset x29, -224
.cfi_offset x30, -216
  mov x29, sp
  stp x0, x1, [sp, #16]
  stp x2, x3, [sp, #32]
  stp x4, x5, [sp, #48]
  stp x6, x7, [sp, #64]
  str x8, [sp, #80]
  stp q0, q1, [sp, #96]
  stp q2, q3, [sp, #128]
  stp q4, q5, [sp, #160]
  stp q6, q7, [sp, #192]
  mov x0, x16
  mov x1, x17
  bl __rtlink_stub_resolve
  mov x16, x0
  ldp x0, x1, [sp, #16]
  ldp x2, x3, [sp, #32]
  ldp x4, x5, [sp, #48]
  ldp x6, x7, [sp, #64]
  ldr x8, [sp, #80]
  ldp q0, q1, [sp, #96]
  ldp q2, q3, [sp, #128]
  ldp q4, q5, [sp, #160]
  ldp q6, q7, [sp, #192]
  ldp x29, x30, [sp], #224
.cfi_def_cfa_offset 0
  br x16
.cfi_endproc
.size __rtlink_stub_enter, . - __rtlink_stub_enter

.section .note.GNU-stack,"",%progbits
