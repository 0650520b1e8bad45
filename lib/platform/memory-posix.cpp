// platform/memory-posix.cpp — reserve / commit / protect with mmap and mprotect.
#include "platform/platform.hpp"
#include "support/parallel.hpp"

#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstring>
#include <vector>

namespace rtlink::platform {

uint64_t page_size() {
  static const uint64_t size = uint64_t(sysconf(_SC_PAGESIZE));
  return size;
}

static Error os_error(const char *what, uint64_t addr, uint64_t size) {
  return make_error(what, " of ", size, " bytes at 0x", std::hex, addr, std::dec,
                    " failed: ", std::strerror(errno));
}

// A transparent huge page's size on x86-64 and on arm64 with 4 KiB pages.
constexpr uint64_t kHuge = uint64_t(2) << 20;

static void *map_none(void *hint, uint64_t size, int extra) {
  return mmap(hint, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | extra, -1, 0);
}

// Below 2 GiB, so both zero- and sign-extended 32-bit addresses reach it.
// A host built without PIE has its heap there too: Linux starts the program
// break at random up to 1 GiB above the executable, and the heap grows up
// from it. The range is sought from the top down in 2 MiB steps, first
// leaving the heap room to grow, then (glibc's malloc goes on in mmap'd
// memory when the break cannot move) anywhere the range fits. A gap below
// the heap counts as well as one above it.
static uint64_t reserve_low(uint64_t size) {
  const uint64_t limit = uint64_t(1) << 31, step = uint64_t(1) << 21, heap_room = uint64_t(1) << 28;
  if (size > limit - step)
    return 0;
  const uint64_t brk = reinterpret_cast<uint64_t>(sbrk(0));
  for (bool spare_heap : {true, false})
    for (uint64_t hint = (limit - size) & ~(step - 1); hint >= step; hint -= step) {
      if (spare_heap && hint < brk + heap_room && hint + size > brk)
        continue;
      void *p = map_none(reinterpret_cast<void *>(hint), size, MAP_FIXED_NOREPLACE);
      if (p == MAP_FAILED)
        continue;
      if (reinterpret_cast<uint64_t>(p) == hint)
        return hint;
      munmap(p, size);  // an old kernel took the flag as a hint
    }
  return 0;
}

Expected<uint64_t> reserve(uint64_t size, bool low) {
  if (low)
    if (uint64_t base = reserve_low(size))
      return base;
  void *p = map_none(nullptr, size, 0);
  if (p == MAP_FAILED)
    return os_error("reserving address space", 0, size);
  return reinterpret_cast<uint64_t>(p);
}

Error release(uint64_t base, uint64_t size) {
  if (munmap(reinterpret_cast<void *>(base), size) != 0)
    return os_error("releasing address space", base, size);
  return Error::success();
}

Error commit(uint64_t addr, uint64_t size) {
  if (mprotect(reinterpret_cast<void *>(addr), size, PROT_READ | PROT_WRITE) != 0)
    return os_error("committing memory", addr, size);
  // In 2 MiB pages where the system gives them when asked (Debian's
  // default): loading's dearest work is a page's first touch, and a huge
  // page's costs less per byte. Only pages wholly inside, and before any is
  // touched (a 2 MiB range with a 4 KiB page in it stays in 4 KiB pages).
  const uint64_t from = (addr + kHuge - 1) & ~(kHuge - 1), to = (addr + size) & ~(kHuge - 1);
  if (to > from)
    (void)madvise(reinterpret_cast<void *>(from), to - from, MADV_HUGEPAGE);
  return Error::success();
}

Error decommit(uint64_t addr, uint64_t size) {
  // A fresh inaccessible mapping in place: the old pages go back to the system.
  if (map_none(reinterpret_cast<void *>(addr), size, MAP_FIXED) == MAP_FAILED)
    return os_error("decommitting memory", addr, size);
  return Error::success();
}

void prefault(uint64_t addr, uint64_t size) {
  if (!size)
    return;
  // One call instead of a fault per page; older kernels say EINVAL and the
  // pages fault in as they are written. From 4 MiB, on every core, in 2 MiB
  // pieces on 2 MiB boundaries (the kernel's zeroing is most of it); the
  // huge-page advice was given at commit, before any piece is populated
  // (advice given beside a piece being populated cost that piece its huge
  // pages).
  constexpr uint64_t kWorthThreads = uint64_t(4) << 20;
  if (size < kWorthThreads) {
    (void)madvise(reinterpret_cast<void *>(addr), size, MADV_POPULATE_WRITE);
    return;
  }
  const uint64_t end = addr + size;
  const size_t pieces = size_t(((end - 1) & ~(kHuge - 1)) - (addr & ~(kHuge - 1))) / kHuge + 1;
  parallel_for(pieces, [&](size_t k) {
    const uint64_t at = std::max(addr, (addr & ~(kHuge - 1)) + k * kHuge);
    const uint64_t next = std::min(end, (addr & ~(kHuge - 1)) + (k + 1) * kHuge);
    (void)madvise(reinterpret_cast<void *>(at), next - at, MADV_POPULATE_WRITE);
  });
}

void will_read(const void *p, uint64_t size) {
  // As prefault (MADV_POPULATE_READ is Linux 5.14's too), on whole pages.
  if (!size)
    return;
  const uint64_t page = page_size(), at = reinterpret_cast<uint64_t>(p);
  const uint64_t from = at & ~(page - 1), to = (at + size + page - 1) & ~(page - 1);
  (void)madvise(reinterpret_cast<void *>(from), to - from, MADV_POPULATE_READ);
}

void done_reading(std::span<const std::span<const uint8_t>> ranges) {
  // Only the pages wholly inside each: the rest of a page may still be read.
  const uint64_t page = page_size();
  std::vector<iovec> pages;
  for (std::span<const uint8_t> r : ranges) {
    const uint64_t at = reinterpret_cast<uint64_t>(r.data());
    const uint64_t from = (at + page - 1) & ~(page - 1), to = (at + r.size()) & ~(page - 1);
    if (to > from)
      pages.push_back({reinterpret_cast<void *>(from), to - from});
  }
  if (pages.empty())
    return;
#if defined(__linux__) && defined(SYS_process_madvise) && defined(SYS_pidfd_open)
  // Recent kernels (6.18 here) take MADV_DONTNEED through process_madvise on
  // this process, all the ranges in one call; older ones say EINVAL.
  // (A pidfd per call: one kept would name the parent in a forked child.)
  static std::atomic<bool> unsupported{false};
  size_t done = 0;
  const int self = unsupported ? -1 : int(syscall(SYS_pidfd_open, getpid(), 0));
  while (self >= 0 && done < pages.size()) {
    const size_t n = std::min<size_t>(pages.size() - done, IOV_MAX);
    uint64_t bytes = 0;
    for (size_t k = done; k < done + n; ++k)
      bytes += pages[k].iov_len;
    const long r = syscall(SYS_process_madvise, self, pages.data() + done, n, MADV_DONTNEED, 0);
    if (r < 0 && (errno == EINVAL || errno == ENOSYS || errno == EPERM))
      unsupported = true;
    if (r < 0 || uint64_t(r) != bytes)
      break;  // the rest one range at a time (twice over is harmless)
    done += n;
  }
  if (self >= 0)
    close(self);
  else
    unsupported = true;
  pages.erase(pages.begin(), pages.begin() + done);
#endif
  // A call a range flushes the TLB each time: only the large ranges (the GHC
  // job: 29 of 617 ranges, 19 of 40 MiB; its peak memory 0.88x, not 0.78x).
  constexpr uint64_t kWorthACall = 256 << 10;
  for (const iovec &v : pages)
    if (v.iov_len >= kWorthACall)
      (void)madvise(v.iov_base, v.iov_len, MADV_DONTNEED);
}

Error protect(uint64_t addr, uint64_t size, Protection prot) {
  int p = PROT_NONE;
  switch (prot) {
  case Protection::None: p = PROT_NONE; break;
  case Protection::Read: p = PROT_READ; break;
  case Protection::ReadWrite: p = PROT_READ | PROT_WRITE; break;
  case Protection::ReadExecute: p = PROT_READ | PROT_EXEC; break;
  }
  if (mprotect(reinterpret_cast<void *>(addr), size, p) != 0)
    return os_error("changing protection", addr, size);
  return Error::success();
}

} // namespace rtlink::platform
