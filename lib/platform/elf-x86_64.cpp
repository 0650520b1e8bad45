// platform/elf-x86_64.cpp — what the ELF system's runtime needs of x86-64
// (meson picks elf-ARCH.cpp by host_machine.cpu_family(); platform.hpp):
// the TLS descriptor function loaded code calls, the machine and relocation
// of the object that takes a slice of glibc's static TLS area
// (static_tls-linux.cpp), and where GNU ld looks for libraries.
#include "platform/platform.hpp"

#include <elf.h>

// %rax: the descriptor {this function, pointer to {module, offset}}.
// Returns in %rax the variable's address minus the thread pointer; every
// other register is preserved (the general ones the call may change, and
// xmm0-15), as the TLS descriptor ABI requires.
asm(R"(
        .text
        .globl  rtlink_tls_descriptor
        .type   rtlink_tls_descriptor, @function
rtlink_tls_descriptor:
        push    %rdi
        push    %rsi
        push    %rdx
        push    %rcx
        push    %r8
        push    %r9
        push    %r10
        push    %r11
        sub     $264, %rsp
        movdqu  %xmm0, 0(%rsp)
        movdqu  %xmm1, 16(%rsp)
        movdqu  %xmm2, 32(%rsp)
        movdqu  %xmm3, 48(%rsp)
        movdqu  %xmm4, 64(%rsp)
        movdqu  %xmm5, 80(%rsp)
        movdqu  %xmm6, 96(%rsp)
        movdqu  %xmm7, 112(%rsp)
        movdqu  %xmm8, 128(%rsp)
        movdqu  %xmm9, 144(%rsp)
        movdqu  %xmm10, 160(%rsp)
        movdqu  %xmm11, 176(%rsp)
        movdqu  %xmm12, 192(%rsp)
        movdqu  %xmm13, 208(%rsp)
        movdqu  %xmm14, 224(%rsp)
        movdqu  %xmm15, 240(%rsp)
        mov     8(%rax), %rdi
        call    rtlink_tls_get_addr
        sub     %fs:0, %rax
        movdqu  0(%rsp), %xmm0
        movdqu  16(%rsp), %xmm1
        movdqu  32(%rsp), %xmm2
        movdqu  48(%rsp), %xmm3
        movdqu  64(%rsp), %xmm4
        movdqu  80(%rsp), %xmm5
        movdqu  96(%rsp), %xmm6
        movdqu  112(%rsp), %xmm7
        movdqu  128(%rsp), %xmm8
        movdqu  144(%rsp), %xmm9
        movdqu  160(%rsp), %xmm10
        movdqu  176(%rsp), %xmm11
        movdqu  192(%rsp), %xmm12
        movdqu  208(%rsp), %xmm13
        movdqu  224(%rsp), %xmm14
        movdqu  240(%rsp), %xmm15
        add     $264, %rsp
        pop     %r11
        pop     %r10
        pop     %r9
        pop     %r8
        pop     %rcx
        pop     %rdx
        pop     %rsi
        pop     %rdi
        ret
        .size   rtlink_tls_descriptor, .-rtlink_tls_descriptor
)");

namespace rtlink::platform {

uint16_t elf_machine() { return EM_X86_64; }
uint32_t elf_tpoff64_relocation() { return R_X86_64_TPOFF64; }

} // namespace rtlink::platform
