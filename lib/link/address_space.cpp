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
  for (auto it = free_.begin(); it != free_.end(); ++it) {
    if (it->second < size)
      continue;
    Allocation a{it->first, size};
    uint64_t rest = it->second - size;
    free_.erase(it);
    if (rest)
      free_.emplace(a.base + size, rest);
    if (Error e = ex.commit(a.base, a.size)) {
      insert_free(a);
      return e;
    }
    in_use_ += size;
    return a;
  }
  return make_error("out of reserved address space: need ", format_bytes(size), ", ",
                    format_bytes(size_ - in_use_), " of ", format_bytes(size_),
                    " free (in pieces); a larger LinkerOptions::reserve_size helps");
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
