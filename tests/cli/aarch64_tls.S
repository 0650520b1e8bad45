// aarch64 code for tests/cli/aarch64_executor.py that reaches thread-local
// storage the two ways loaded code does, assembled at test time.
        .text

// long through_descriptor(const void *descriptor): calls a TLS descriptor
// {function, argument} as compiled code does and returns the 8 bytes at the
// thread pointer plus the offset it answered; -N when register N (x1-x18,
// 100 + N for vN) did not survive the call, as the TLS descriptor ABI says
// every register but x0 must.
        .globl  through_descriptor
        .type   through_descriptor, %function
        .p2align 4
through_descriptor:
        stp     x29, x30, [sp, #-32]!
        mov     x29, sp
        stp     x19, x20, [sp, #16]
        mov     x2, #2
        mov     x3, #3
        mov     x4, #4
        mov     x5, #5
        mov     x6, #6
        mov     x7, #7
        mov     x8, #8
        mov     x9, #9
        mov     x10, #10
        mov     x11, #11
        mov     x12, #12
        mov     x13, #13
        mov     x14, #14
        mov     x15, #15
        mov     x16, #16
        mov     x17, #17
        mov     x18, #18
        movi    v0.16b, #0x50
        movi    v7.16b, #0x57
        movi    v16.16b, #0x66
        movi    v31.16b, #0x7f
        ldr     x1, [x0]
        blr     x1
        mrs     x1, tpidr_el0
        ldr     x19, [x1, x0]
        mov     x0, #-2
        cmp     x2, #2
        b.ne    1f
        mov     x0, #-3
        cmp     x3, #3
        b.ne    1f
        mov     x0, #-4
        cmp     x4, #4
        b.ne    1f
        mov     x0, #-5
        cmp     x5, #5
        b.ne    1f
        mov     x0, #-6
        cmp     x6, #6
        b.ne    1f
        mov     x0, #-7
        cmp     x7, #7
        b.ne    1f
        mov     x0, #-8
        cmp     x8, #8
        b.ne    1f
        mov     x0, #-9
        cmp     x9, #9
        b.ne    1f
        mov     x0, #-10
        cmp     x10, #10
        b.ne    1f
        mov     x0, #-11
        cmp     x11, #11
        b.ne    1f
        mov     x0, #-12
        cmp     x12, #12
        b.ne    1f
        mov     x0, #-13
        cmp     x13, #13
        b.ne    1f
        mov     x0, #-14
        cmp     x14, #14
        b.ne    1f
        mov     x0, #-15
        cmp     x15, #15
        b.ne    1f
        mov     x0, #-16
        cmp     x16, #16
        b.ne    1f
        mov     x0, #-17
        cmp     x17, #17
        b.ne    1f
        mov     x0, #-18
        cmp     x18, #18
        b.ne    1f
        movi    v1.16b, #0x50
        mov     x0, #-100
        cmeq    v2.16b, v0.16b, v1.16b
        uminv   b2, v2.16b
        umov    w20, v2.b[0]
        cmp     w20, #0xff
        b.ne    1f
        movi    v1.16b, #0x57
        mov     x0, #-107
        cmeq    v2.16b, v7.16b, v1.16b
        uminv   b2, v2.16b
        umov    w20, v2.b[0]
        cmp     w20, #0xff
        b.ne    1f
        movi    v1.16b, #0x66
        mov     x0, #-116
        cmeq    v2.16b, v16.16b, v1.16b
        uminv   b2, v2.16b
        umov    w20, v2.b[0]
        cmp     w20, #0xff
        b.ne    1f
        movi    v1.16b, #0x7f
        mov     x0, #-131
        cmeq    v2.16b, v31.16b, v1.16b
        uminv   b2, v2.16b
        umov    w20, v2.b[0]
        cmp     w20, #0xff
        b.ne    1f
        mov     x0, x19
1:      ldp     x19, x20, [sp, #16]
        ldp     x29, x30, [sp], #32
        ret
        .size   through_descriptor, .-through_descriptor

// long at_thread_pointer(long offset): the 8 bytes at the thread pointer plus
// `offset`, as initial- and local-exec code reaches its variables.
        .globl  at_thread_pointer
        .type   at_thread_pointer, %function
        .p2align 4
at_thread_pointer:
        mrs     x1, tpidr_el0
        ldr     x0, [x1, x0]
        ret
        .size   at_thread_pointer, .-at_thread_pointer
