#include "support/words.hpp"

namespace rtlink {

std::vector<std::string> split_words(std::string_view text, std::string_view quotes) {
  std::vector<std::string> out;
  std::string cur;
  bool any = false;
  char open = 0;
  for (char c : text) {
    if (open) {
      if (c == open)
        open = 0;
      else
        cur += c;
    } else if (quotes.find(c) != std::string_view::npos) {
      open = c;
      any = true;
    } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\0') {
      if (any)
        out.push_back(cur);
      cur.clear();
      any = false;
    } else {
      cur += c;
      any = true;
    }
  }
  if (any)
    out.push_back(cur);
  return out;
}

} // namespace rtlink
