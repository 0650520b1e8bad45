// tools/huge_pages.cpp — the tools' heap in transparent huge pages
// (objload-executor's too: the code it runs mallocs from this heap, as code
// loaded into objload does).
//
// A link unit's tables (sections, symbols, edges, their bindings and
// addresses) are written once, right after they are allocated: in 4 KiB
// pages the first touch of each page is a page fault, and in a virtual
// machine a costly one. glibc gives huge pages only when asked (the tunable
// glibc.malloc.hugetlb=1, read when a process starts, or madvise where the
// system's setting is "madvise", Debian's default), so the tools ask for
// themselves:
// - allocations of 2 MiB and more are aligned to 2 MiB and advised
//   MADV_HUGEPAGE before their first touch;
// - the rest come from malloc's arenas, which are advised as they appear
//   and grow: the main arena (grown by brk, 64 MiB at a time) each time the
//   break has moved, and each thread's arena (a 64 MiB reservation glibc
//   aligns to 64 MiB and grows within; HEAP_MAX_SIZE on 64-bit systems)
//   once, when the first small block from it is seen.
// glibc.malloc.hugetlb=1 does the like (added to this, with the 64 MiB
// steps below, it makes the GHC job 1.13x slower). The GHC job (bench/run) takes
// 0.55x the time it did with only large allocations advised (13,700 page
// faults to 4,500), the sqlite job 0.81x, symdump over LLVM's archives 0.92x;
// peak memory 2-10% more. Advice that is refused changes nothing.
//
// Only in the tools: a library must not replace a host's operator new. A
// host embedding librtlink gets much of it with GLIBC_TUNABLES=glibc.malloc.hugetlb=1.
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace {

constexpr std::size_t kHuge = std::size_t(2) << 20;
// Smaller requests are always served from an arena, never mapped on their own
// (glibc's least mmap threshold).
constexpr std::size_t kArenaOnly = std::size_t(128) << 10;
constexpr std::uintptr_t kArenaHeap = std::uintptr_t(64) << 20;

void advise(std::uintptr_t from, std::uintptr_t to) {
  madvise(reinterpret_cast<void *>(from), to - from, MADV_HUGEPAGE);
}

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25  // (Linux 6.1; Debian 12's glibc headers lack it)
#endif

// The 2 MiB holding `at`, made one huge page now: malloc writes a header
// into each new piece of an arena before the advice can be given, and a
// 2 MiB range with one 4 KiB page in it would stay in 4 KiB pages, each a
// page fault. Older kernels say EINVAL, and it stays so.
void collapse(std::uintptr_t at) {
  madvise(reinterpret_cast<void *>(at & ~(kHuge - 1)), kHuge, MADV_COLLAPSE);
}

// The main arena, up to the break: what is advised so far.
std::atomic<std::uintptr_t> advised_break{0};

void advise_main_arena() noexcept {
  const auto brk_now = reinterpret_cast<std::uintptr_t>(sbrk(0));  // (no system call)
  std::uintptr_t from = advised_break.load(std::memory_order_relaxed);
  if (brk_now <= from || !advised_break.compare_exchange_strong(from, brk_now))
    return;
  if (from == 0) {
    // The first allocation, where start_main_arena could not move the
    // break: the heap grows in steps of 64 MiB from now on.
    mallopt(M_TOP_PAD, 64 << 20);
    return;
  }
  advise(from & ~std::uintptr_t(4095), brk_now);
  collapse(from);
}

// The main arena starts on a 2 MiB boundary, in huge pages from its first
// byte. Linux starts the break at a random offset, and a huge page must lie
// wholly inside the heap's mapping: the heap's first (partial) 2 MiB was in
// 4 KiB pages, and the sqlite job's whole heap with it (446 of its 566 page
// faults; 0.74x the time without them). So before the other static
// constructors, and so normally before malloc's first call, the break moves
// up to the next boundary (address space, never touched), and malloc's first
// step is taken at once: 64 MiB, advised, its first 2 MiB collapsed. It
// grows in steps of 64 MiB from then on, each advised and its first 2 MiB
// collapsed (16 MiB steps made the GHC job 1.12-1.19x the time, 32 MiB
// 1.08x). A step is address space: only what is touched becomes memory, and
// what a link frees is what the next one uses first.
__attribute__((constructor(101))) void start_main_arena() noexcept {
  const auto start = reinterpret_cast<std::uintptr_t>(sbrk(0));
  const std::uintptr_t aligned = (start + kHuge - 1) & ~(kHuge - 1);
  if (aligned != start && sbrk(static_cast<intptr_t>(aligned - start)) == reinterpret_cast<void *>(-1))
    return;
  mallopt(M_TOP_PAD, 64 << 20);
  void *first = std::malloc(1);
  const auto brk_now = reinterpret_cast<std::uintptr_t>(sbrk(0));
  if (first && brk_now > aligned) {
    advise(aligned, brk_now);
    collapse(aligned);
    advised_break.store(brk_now, std::memory_order_relaxed);
  }
  std::free(first);
}

// Thread arenas seen so far; more threads than this share arenas anyway
// (glibc makes at most 8 per core).
std::atomic<std::uintptr_t> thread_arenas[32];

void advise_thread_arena(const void *p, std::size_t n) noexcept {
  const auto at = reinterpret_cast<std::uintptr_t>(p);
  if (!p || n >= kArenaOnly || at < advised_break.load(std::memory_order_relaxed))
    return;  // mapped on its own, or the main arena's (below the break)
  const std::uintptr_t base = at & ~(kArenaHeap - 1);
  for (auto &slot : thread_arenas) {
    std::uintptr_t seen = slot.load(std::memory_order_relaxed);
    if (seen == 0 && slot.compare_exchange_strong(seen, base)) {
      advise(base, base + kArenaHeap);
      collapse(base);  // (glibc made the arena's header there)
      return;
    }
    if (seen == base)
      return;
  }
}

void *allocate(std::size_t n) noexcept {
  void *p = nullptr;
  if (n >= kHuge && n <= SIZE_MAX - (kHuge - 1)) {  // (rounding up must not wrap)
    const std::size_t rounded = (n + kHuge - 1) & ~(kHuge - 1);
    if ((p = std::aligned_alloc(kHuge, rounded)))
      madvise(p, rounded, MADV_HUGEPAGE);  // advice: nothing to do if refused
  }
  if (!p)
    p = std::malloc(n ? n : 1);
  advise_main_arena();
  advise_thread_arena(p, n);
  return p;
}

void *allocate_or_throw(std::size_t n) {
  for (;;) {
    if (void *p = allocate(n))
      return p;
    std::new_handler h = std::get_new_handler();
    if (!h)
      throw std::bad_alloc();
    h();
  }
}

} // namespace

void *operator new(std::size_t n) { return allocate_or_throw(n); }
void *operator new[](std::size_t n) { return allocate_or_throw(n); }
void *operator new(std::size_t n, const std::nothrow_t &) noexcept { return allocate(n); }
void *operator new[](std::size_t n, const std::nothrow_t &) noexcept { return allocate(n); }
void operator delete(void *p) noexcept { std::free(p); }
void operator delete[](void *p) noexcept { std::free(p); }
void operator delete(void *p, std::size_t) noexcept { std::free(p); }
void operator delete[](void *p, std::size_t) noexcept { std::free(p); }
void operator delete(void *p, const std::nothrow_t &) noexcept { std::free(p); }
void operator delete[](void *p, const std::nothrow_t &) noexcept { std::free(p); }
