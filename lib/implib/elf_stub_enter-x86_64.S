// implib/elf_stub_enter-x86_64.S — __rtlink_stub_enter for x86-64 lazy-loading
// stubs (elf_stubs_x86_64.cpp); see elf_stub_resolve.c.
//
// Entered by a jump from a stub: %r10 the library, %r11 the index; the stack
// as at the stub's entry (the caller's return address on top). Saved: the
// six integer argument registers, %rax (the vector-register count of a
// variadic call) and %xmm0-7.
.text
.weak __rtlink_stub_enter
.hidden __rtlink_stub_enter
.type __rtlink_stub_enter, @function
.p2align 4
__rtlink_stub_enter:
.cfi_startproc
  pushq %rbp
.cfi_def_cfa_offset 16
.cfi_offset %rbp, -16
  movq %rsp, %rbp
.cfi_def_cfa_register %rbp
  pushq %rdi
  pushq %rsi
  pushq %rdx
  pushq %rcx
  pushq %r8
  pushq %r9
  pushq %rax
  subq $136, %rsp
  movdqu %xmm0, 0(%rsp)
  movdqu %xmm1, 16(%rsp)
  movdqu %xmm2, 32(%rsp)
  movdqu %xmm3, 48(%rsp)
  movdqu %xmm4, 64(%rsp)
  movdqu %xmm5, 80(%rsp)
  movdqu %xmm6, 96(%rsp)
  movdqu %xmm7, 112(%rsp)
  movq %r10, %rdi
  movq %r11, %rsi
  call __rtlink_stub_resolve
  movq %rax, %r11
  movdqu 0(%rsp), %xmm0
  movdqu 16(%rsp), %xmm1
  movdqu 32(%rsp), %xmm2
  movdqu 48(%rsp), %xmm3
  movdqu 64(%rsp), %xmm4
  movdqu 80(%rsp), %xmm5
  movdqu 96(%rsp), %xmm6
  movdqu 112(%rsp), %xmm7
  addq $136, %rsp
  popq %rax
  popq %r9
  popq %r8
  popq %rcx
  popq %rdx
  popq %rsi
  popq %rdi
  popq %rbp
.cfi_def_cfa %rsp, 8
  jmpq *%r11
.cfi_endproc
.size __rtlink_stub_enter, . - __rtlink_stub_enter

.section .note.GNU-stack,"",@progbits
