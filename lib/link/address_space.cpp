#include "link/address_space.hpp"
#include "support/format.hpp"

namespace rtlink {

Expected<AddressSpace> AddressSpace::reserve(Executor &ex, uint64_t size) {
  if (size == 0 || size > (uint64_t(1) << 31))
    return make_error("reserve size ", size, " must be between 1 byte and 2 GiB");
  AddressSpace s;
  s.page_ = ex.page_size();
  s.size_ = (size + s.page_ - 1) & ~(s.page_ - 1);
  auto base = ex.reserve(s.size_, /*low=*/true);
  if (!base)
    return base.take_error();
  s.base_ = *base;
  s.free_.emplace(s.base_, s.size_);
  return s;
}

Expected<Allocation> AddressSpace::allocate(Executor &ex, uint64_t size) {
  size = (size + page_ - 1) & ~(page_ - 1);
  // A block of 2 MiB or more starts on a 2 MiB boundary where one is free:
  // its pages can then be huge pages (platform::commit), whose first touch
  // costs less per byte. Address space is what that spends, not memory. A
  // block whose last 2 MiB would be half used or more is given all of it,
  // so that it too is one huge page: the sqlite job's one block of 1.2 MiB
  // was 293 first touches of 4 KiB pages. That spends at most 1 MiB per
  // block (where huge pages are given; elsewhere only address space).
  constexpr uint64_t kHuge = uint64_t(2) << 20;
  if (size % kHuge >= kHuge / 2 && size <= UINT64_MAX - kHuge)
    size = (size + kHuge - 1) & ~(kHuge - 1);
  if (size >= kHuge)
    for (auto it = free_.begin(); it != free_.end(); ++it) {
      const uint64_t at = (it->first + kHuge - 1) & ~(kHuge - 1);
      if (at - it->first < it->second && it->second - (at - it->first) >= size)
        return take(ex, it, at, size);
    }
  for (auto it = free_.begin(); it != free_.end(); ++it)
    if (it->second >= size)
      return take(ex, it, it->first, size);
  return make_error("out of reserved address space: need ", format_bytes(size), ", ",
                    format_bytes(size_ - in_use_), " of ", format_bytes(size_),
                    " free (in pieces); a larger LinkerOptions::reserve_size helps");
}

Expected<Allocation> AddressSpace::allocate_at(Executor &ex, uint64_t offset, uint64_t size) {
  size = (size + page_ - 1) & ~(page_ - 1);
  if (offset % page_ == 0 && offset <= size_ && size <= size_ - offset) {
    const uint64_t base = base_ + offset;
    auto it = free_.upper_bound(base);
    if (it != free_.begin()) {
      --it;
      if (base + size <= it->first + it->second)
        return take(ex, it, base, size);
    }
  }
  return make_error("the pages at +", hex(offset), " (", format_bytes(size),
                    ") of the reserved range are not free");
}

// Takes [base, base + size) out of the free run `run`, which holds it, and commits it.
Expected<Allocation> AddressSpace::take(Executor &ex, std::map<uint64_t, uint64_t>::iterator run,
                                        uint64_t base, uint64_t size) {
  const uint64_t run_base = run->first, run_end = run->first + run->second;
  free_.erase(run);
  if (base > run_base)
    free_.emplace(run_base, base - run_base);
  if (base + size < run_end)
    free_.emplace(base + size, run_end - base - size);
  Allocation a{base, size};
  if (Error e = ex.commit(a.base, a.size)) {
    insert_free(a);
    return e;
  }
  in_use_ += size;
  return a;
}

Error AddressSpace::free(Executor &ex, Allocation a) {
  if (!a.size)
    return Error::success();
  Error e = ex.decommit(a.base, a.size);
  in_use_ -= a.size;
  insert_free(a);
  return e;
}

void AddressSpace::insert_free(Allocation a) {
  // Coalesce with the neighbours.
  auto next = free_.lower_bound(a.base);
  if (next != free_.end() && a.base + a.size == next->first) {
    a.size += next->second;
    next = free_.erase(next);
  }
  if (next != free_.begin()) {
    auto prev = std::prev(next);
    if (prev->first + prev->second == a.base) {
      prev->second += a.size;
      return;
    }
  }
  free_.emplace(a.base, a.size);
}

} // namespace rtlink
