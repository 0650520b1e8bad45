#include "object/link_unit.hpp"
#include "support/format.hpp"

#include <cstring>

namespace rtlink {

const uint8_t *LinkUnit::own(std::span<const uint8_t> bytes) {
  auto copy = std::make_unique<uint8_t[]>(bytes.empty() ? 1 : bytes.size());
  if (!bytes.empty())
    std::memcpy(copy.get(), bytes.data(), bytes.size());
  owned.push_back(std::move(copy));
  return owned.back().get();
}

uint32_t LinkUnit::add_section(std::string_view name, std::span<const uint8_t> bytes,
                               uint64_t align, Perm perm) {
  Section s;
  s.name = name;
  s.bytes = own(bytes);
  s.size = bytes.size();
  s.align = align;
  s.perm = perm;
  s.role = SectionRole::Normal;
  sections.push_back(std::move(s));
  return uint32_t(sections.size() - 1);
}

std::string LinkUnit::site(uint32_t section, uint64_t offset) const {
  std::string_view sec = section < sections.size() ? sections[section].name : "?";
  return name + ":(" + std::string(sec) + "+" + hex(offset) + ")";
}

std::string LinkUnit::symbol_name(uint32_t index) const {
  if (index >= symbols.size())
    return "symbol #" + std::to_string(index);
  const Symbol &s = symbols[index];
  if (s.is_section && s.section < sections.size())
    return "section " + std::string(sections[s.section].name);
  return std::string(s.name);
}

} // namespace rtlink
