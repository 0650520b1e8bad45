// tools/huge_pages.cpp — the tools' large C++ allocations in transparent
// huge pages.
//
// A link unit's tables (sections, symbols, their bindings and addresses)
// are vectors of megabytes, written once right after they are allocated:
// in 4 KiB pages the first touch of each is a page fault, and in a virtual
// machine a costly one. The 60,000-section object of bench/run spent a
// quarter of its time there (0.18 s; 0.11 s with this). glibc gives huge
// pages only when asked (the tunable glibc.malloc.hugetlb=1, or madvise
// where the system's setting is "madvise", Debian's default), so the tools
// ask for allocations of 2 MiB and more: aligned to 2 MiB, advised
// MADV_HUGEPAGE before their first touch. Smaller ones, and every delete,
// are malloc's and free's as usual (aligned_alloc's memory is free'd like
// any other).
//
// Only in the tools: a library must not replace a host's operator new. A
// host embedding librtlink gets the same with GLIBC_TUNABLES=glibc.malloc.hugetlb=1.
#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <new>

namespace {

constexpr std::size_t kHuge = std::size_t(2) << 20;

void *allocate(std::size_t n) noexcept {
  if (n >= kHuge && n <= SIZE_MAX - (kHuge - 1)) {  // (rounding up must not wrap)
    const std::size_t rounded = (n + kHuge - 1) & ~(kHuge - 1);
    if (void *p = std::aligned_alloc(kHuge, rounded)) {
      madvise(p, rounded, MADV_HUGEPAGE);  // advice: nothing to do if refused
      return p;
    }
  }
  return std::malloc(n ? n : 1);
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
