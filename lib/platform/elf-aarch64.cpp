// platform/elf-aarch64.cpp — what the ELF system's runtime needs of aarch64
// (meson picks elf-ARCH.cpp by host_machine.cpu_family(); platform.hpp):
// the TLS descriptor function loaded code calls, the machine and relocation
// of the object that takes a slice of glibc's static TLS area
// (static_tls-linux.cpp), and where GNU ld looks for libraries.
#include "platform/platform.hpp"

#include <elf.h>

// x0: the descriptor {this function, pointer to {module, offset}}.
// Returns in x0 the variable's address minus the thread pointer
// (tpidr_el0); every other register is preserved, as the TLS descriptor ABI
// requires: x1-x18, the condition flags, and q0-q31 whole (the C code it
// calls, rtlink_tls_get_addr in tls-posix.cpp, may use the vector registers:
// malloc, the block's copy). Not the upper
// bits of SVE's z registers, which a write to a q register clears: loaded
// code keeping SVE values live across a thread-local access would lose them.
asm(R"(
        .text
        .globl  rtlink_tls_descriptor
        .type   rtlink_tls_descriptor, %function
        .p2align 2
rtlink_tls_descriptor:
        sub     sp, sp, #688
        stp     x29, x30, [sp]
        mov     x29, sp
        stp     x1, x2, [sp, #16]
        stp     x3, x4, [sp, #32]
        stp     x5, x6, [sp, #48]
        stp     x7, x8, [sp, #64]
        stp     x9, x10, [sp, #80]
        stp     x11, x12, [sp, #96]
        stp     x13, x14, [sp, #112]
        stp     x15, x16, [sp, #128]
        stp     x17, x18, [sp, #144]
        stp     q0, q1, [sp, #160]
        stp     q2, q3, [sp, #192]
        stp     q4, q5, [sp, #224]
        stp     q6, q7, [sp, #256]
        stp     q8, q9, [sp, #288]
        stp     q10, q11, [sp, #320]
        stp     q12, q13, [sp, #352]
        stp     q14, q15, [sp, #384]
        stp     q16, q17, [sp, #416]
        stp     q18, q19, [sp, #448]
        stp     q20, q21, [sp, #480]
        stp     q22, q23, [sp, #512]
        stp     q24, q25, [sp, #544]
        stp     q26, q27, [sp, #576]
        stp     q28, q29, [sp, #608]
        stp     q30, q31, [sp, #640]
        mrs     x1, nzcv
        str     x1, [sp, #672]
        ldr     x0, [x0, #8]
        bl      rtlink_tls_get_addr
        mrs     x1, tpidr_el0
        sub     x0, x0, x1
        ldr     x1, [sp, #672]
        msr     nzcv, x1
        ldp     x1, x2, [sp, #16]
        ldp     x3, x4, [sp, #32]
        ldp     x5, x6, [sp, #48]
        ldp     x7, x8, [sp, #64]
        ldp     x9, x10, [sp, #80]
        ldp     x11, x12, [sp, #96]
        ldp     x13, x14, [sp, #112]
        ldp     x15, x16, [sp, #128]
        ldp     x17, x18, [sp, #144]
        ldp     q0, q1, [sp, #160]
        ldp     q2, q3, [sp, #192]
        ldp     q4, q5, [sp, #224]
        ldp     q6, q7, [sp, #256]
        ldp     q8, q9, [sp, #288]
        ldp     q10, q11, [sp, #320]
        ldp     q12, q13, [sp, #352]
        ldp     q14, q15, [sp, #384]
        ldp     q16, q17, [sp, #416]
        ldp     q18, q19, [sp, #448]
        ldp     q20, q21, [sp, #480]
        ldp     q22, q23, [sp, #512]
        ldp     q24, q25, [sp, #544]
        ldp     q26, q27, [sp, #576]
        ldp     q28, q29, [sp, #608]
        ldp     q30, q31, [sp, #640]
        ldp     x29, x30, [sp]
        add     sp, sp, #688
        ret
        .size   rtlink_tls_descriptor, .-rtlink_tls_descriptor
)");

namespace rtlink::platform {

uint16_t elf_machine() { return EM_AARCH64; }
uint32_t elf_tpoff64_relocation() { return R_AARCH64_TLS_TPREL; }

} // namespace rtlink::platform
