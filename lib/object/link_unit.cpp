#include "object/link_unit.hpp"
#include "support/format.hpp"

namespace rtlink {

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
