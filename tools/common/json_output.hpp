// tools/common/json_output.hpp — JSON as the tools print it (symdump
// --format=json, implib-gen --json, objload --json).
//
// Names are bytes: ELF, COFF and archives do not say how they are encoded,
// and a symbol named "caf\xe9" is a valid object. JSON strings are Unicode,
// and nlohmann's dump() throws (the tools aborted) on a string that is not
// UTF-8. So before a document is printed, every string that is not valid
// UTF-8 is written with each byte that starts no valid sequence replaced by
// U+FFFD, and its exact bytes are kept beside it as hex digits, under the
// same key with "_bytes" appended ("name": "caf\ufffd", "name_bytes":
// "636166e9"); for an array of strings, "KEY_bytes" is an array of the same
// length holding the hex of each such string and null for the others. A
// document with only UTF-8 strings is printed as it was. docs/symdump-json.md
// describes it.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace json_output {

// The length of the valid UTF-8 sequence at s[i] (RFC 3629: no overlong
// forms, no surrogates, nothing past U+10FFFF), or 0.
inline size_t utf8_sequence(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80)
    return 1;
  size_t n;
  unsigned char lo = 0x80, hi = 0xbf;  // the range of the second byte
  if (c >= 0xc2 && c <= 0xdf)
    n = 2;
  else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    if (c == 0xe0) lo = 0xa0;  // overlong
    if (c == 0xed) hi = 0x9f;  // surrogates
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    if (c == 0xf0) lo = 0x90;  // overlong
    if (c == 0xf4) hi = 0x8f;  // past U+10FFFF
  } else {
    return 0;
  }
  if (s.size() - i < n || byte(i + 1) < lo || byte(i + 1) > hi)
    return 0;
  for (size_t k = 2; k < n; ++k)
    if (byte(i + k) < 0x80 || byte(i + k) > 0xbf)
      return 0;
  return n;
}

inline bool valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8_sequence(s, i);
    if (!n)
      return false;
    i += n;
  }
  return true;
}

// `s` with each byte that starts no valid sequence replaced by U+FFFD.
inline std::string replace_invalid(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (size_t n = utf8_sequence(s, i)) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += "\xef\xbf\xbd";
      ++i;
    }
  }
  return out;
}

inline std::string hex_bytes(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    out += "0123456789abcdef"[c >> 4];
    out += "0123456789abcdef"[c & 15];
  }
  return out;
}

// Rewrites every string that is not UTF-8, as the header says.
template <class Json> void escape_bytes(Json &j) {
  auto bad = [](const Json &v) {
    return v.is_string() && !valid_utf8(v.template get_ref<const std::string &>());
  };
  if (j.is_array()) {
    for (Json &e : j)
      if (!e.is_string())
        escape_bytes(e);
    return;
  }
  if (!j.is_object())
    return;
  std::vector<std::pair<std::string, Json>> kept;
  for (auto it = j.begin(); it != j.end(); ++it) {
    Json &v = it.value();
    if (bad(v)) {
      const std::string &s = v.template get_ref<const std::string &>();
      kept.emplace_back(it.key() + "_bytes", hex_bytes(s));
      v = replace_invalid(s);
    } else if (v.is_array()) {
      Json bytes = Json::array();
      bool any = false;
      for (Json &e : v) {
        if (bad(e)) {
          const std::string &s = e.template get_ref<const std::string &>();
          bytes.push_back(hex_bytes(s));
          e = replace_invalid(s);
          any = true;
        } else {
          bytes.push_back(nullptr);
          escape_bytes(e);
        }
      }
      if (any)
        kept.emplace_back(it.key() + "_bytes", std::move(bytes));
    } else {
      escape_bytes(v);
    }
  }
  for (auto &[key, value] : kept)
    j[key] = std::move(value);
}

// The document as text (dump(indent)), every string in it UTF-8.
template <class Json> std::string dump(Json j, int indent = -1) {
  escape_bytes(j);
  return j.dump(indent);
}

} // namespace json_output
