// implib/def_parser.cpp — module-definition (.def) files, both dialects.
//
// LLVM has a .def parser (COFFModuleDefinition), but its errors say neither
// line nor column, and it stops at GNU's SECTIONS; this one reports
// "file:line:column: expected ..., found ..." and knows where a statement
// ends. Keywords are upper case, as lib.exe and dlltool have them; a name in
// quotes is never a keyword.
#include "implib/exports.hpp"
#include "support/format.hpp"

#include <cctype>
#include <charconv>

namespace rtlink::implib {
namespace {

struct Token {
  enum Kind { Word, Quoted, Equal, EqualEqual, Comma, BadQuote, End } kind = End;
  std::string_view text;
  size_t offset = 0;
  size_t line = 1, column = 1;
};

class Lexer {
public:
  explicit Lexer(std::string_view text) : text_(text) {}

  Token next() {
    skip_blank();
    Token t;
    t.offset = pos_;
    t.line = line_;
    t.column = pos_ - line_start_ + 1;
    if (pos_ >= text_.size())
      return t;
    char c = text_[pos_];
    if (c == '=') {
      bool two = pos_ + 1 < text_.size() && text_[pos_ + 1] == '=';
      t.kind = two ? Token::EqualEqual : Token::Equal;
      t.text = text_.substr(pos_, two ? 2 : 1);
      pos_ += t.text.size();
      return t;
    }
    if (c == ',') {
      t.kind = Token::Comma;
      t.text = text_.substr(pos_++, 1);
      return t;
    }
    if (c == '"') {
      size_t end = text_.find_first_of("\"\n", pos_ + 1);
      if (end == std::string_view::npos || text_[end] != '"') {
        t.kind = Token::BadQuote;  // accepted nowhere: the parser stops here
        pos_ = end == std::string_view::npos ? text_.size() : end;
        return t;
      }
      t.kind = Token::Quoted;
      t.text = text_.substr(pos_ + 1, end - pos_ - 1);
      pos_ = end + 1;
      return t;
    }
    size_t end = pos_;
    while (end < text_.size() && !std::isspace(static_cast<unsigned char>(text_[end])) &&
           text_[end] != '=' && text_[end] != ',' && text_[end] != ';' && text_[end] != '"')
      ++end;
    t.kind = Token::Word;
    t.text = text_.substr(pos_, end - pos_);
    pos_ = end;
    return t;
  }

private:
  void skip_blank() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == ';') {
        size_t nl = text_.find('\n', pos_);
        pos_ = nl == std::string_view::npos ? text_.size() : nl;
      } else if (c == '\n') {
        ++pos_;
        ++line_;
        line_start_ = pos_;
      } else if (std::isspace(static_cast<unsigned char>(c)) || c == '\0') {
        ++pos_;
      } else {
        break;
      }
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
  size_t line_ = 1, line_start_ = 0;  // lines counted as they are passed
};

bool is_statement_keyword(std::string_view w) {
  for (const char *k : {"NAME", "LIBRARY", "EXPORTS", "HEAPSIZE", "STACKSIZE", "VERSION",
                        "DESCRIPTION", "SECTIONS", "IMPORTS", "CODE", "DATA", "STUB"})
    if (w == k)
      return true;
  return w.starts_with("STUB:");
}

bool is_section_attribute(std::string_view w) {
  return w == "READ" || w == "WRITE" || w == "EXECUTE" || w == "SHARED" || w == "SINGLE" ||
         w == "MULTIPLE" || w == "NONE";
}

// "@5", "@": an ordinal; "@foo@8" is a (fastcall) name.
bool is_ordinal_word(std::string_view w) {
  if (!w.starts_with("@"))
    return false;
  for (char c : w.substr(1))
    if (!std::isdigit(static_cast<unsigned char>(c)))
      return false;
  return true;
}

bool parse_number(std::string_view s, uint64_t &out) {
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s.remove_prefix(2);
    base = 16;
  }
  if (s.empty())
    return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  return ec == std::errc() && p == s.data() + s.size();
}

std::string describe(const Token &t) {
  switch (t.kind) {
  case Token::End:
    return "the end of the file";
  case Token::BadQuote:
    return "an unclosed quote";
  case Token::Quoted: {
    std::string quoted(1, '"');
    quoted += t.text;
    quoted += '"';
    return quoted;
  }
  default:
    return quote(t.text);
  }
}

class Parser {
public:
  Parser(std::string_view text, const std::string &file, const DefOptions &opt)
      : file_(file), opt_(opt), lex_(text) {
    advance();
  }

  Expected<Module> run() {
    module_.machine = opt_.machine;
    module_.mingw = opt_.mingw;
    bool named = false;
    while (tok_.kind != Token::End) {
      if (tok_.kind != Token::Word || !is_statement_keyword(tok_.text))
        return fail(tok_, "expected a statement (LIBRARY, NAME, EXPORTS, ...)");
      std::string_view kw = tok_.text;
      Token at = tok_;
      advance();
      Error e;
      if (kw == "LIBRARY" || kw == "NAME") {
        if (named)
          return fail(at, "a second " + std::string(kw) + " statement");
        named = true;
        e = parse_name(kw == "NAME");
      } else if (kw == "EXPORTS") {
        e = parse_exports();
      } else if (kw == "HEAPSIZE" || kw == "STACKSIZE") {
        e = parse_sizes(kw);
      } else if (kw == "VERSION") {
        e = parse_version();
      } else if (kw == "DESCRIPTION") {
        if (tok_.kind != Token::Quoted && tok_.kind != Token::Word)
          return fail(tok_, "expected the description in quotes after DESCRIPTION");
        advance();
      } else if (kw == "STUB" || kw.starts_with("STUB:")) {
        // STUB:file names the DOS stub of the DLL; nothing of the imports.
        if (kw == "STUB") {
          if (tok_.kind == Token::Word && tok_.text.starts_with(":"))
            advance();
          else
            return fail(tok_, "expected STUB:FILE");
        }
      } else if (kw == "SECTIONS" || kw == "CODE" || kw == "DATA") {
        e = parse_sections(kw);
      } else if (kw == "IMPORTS") {
        return fail(at, "IMPORTS says what the DLL itself imports; an import library "
                        "describes only its exports (remove the IMPORTS statement)");
      }
      if (e)
        return e;
    }
    return std::move(module_);
  }

private:
  void advance() { tok_ = lex_.next(); }

  Error fail(const Token &at, const std::string &what) {
    std::string msg = what;
    if (at.kind == Token::BadQuote)
      msg = "a string in quotes is not closed before the end of its line";
    else if (what.starts_with("expected"))
      msg += ", found " + describe(at);
    return make_error(file_, ":", at.line, ":", at.column, ": ", msg);
  }

  std::string where(const Token &at) const { return file_ + ":" + std::to_string(at.line); }

  bool is_name() const {
    return tok_.kind == Token::Quoted ||
           (tok_.kind == Token::Word && !is_statement_keyword(tok_.text) &&
            !is_ordinal_word(tok_.text));
  }

  Error parse_name(bool exe) {
    module_.is_exe = exe;
    if (is_name() && !(tok_.kind == Token::Word && tok_.text == "BASE")) {
      module_.dll_name = module_file_name(std::string(tok_.text), exe);
      advance();
    }
    if (tok_.kind == Token::Word && tok_.text == "BASE") {
      advance();
      if (tok_.kind != Token::Equal)
        return fail(tok_, "expected '=' after BASE");
      advance();
      if (tok_.kind != Token::Word || !parse_number(tok_.text, module_.image_base))
        return fail(tok_, "expected an address after BASE=");
      advance();
    }
    return {};
  }

  Error parse_sizes(std::string_view kw) {
    uint64_t v;
    if (tok_.kind != Token::Word || !parse_number(tok_.text, v))
      return fail(tok_, "expected a size after " + std::string(kw));
    advance();
    if (tok_.kind == Token::Comma) {
      advance();
      if (tok_.kind != Token::Word || !parse_number(tok_.text, v))
        return fail(tok_, "expected the commit size after ','");
      advance();
    }
    return {};
  }

  Error parse_version() {
    if (tok_.kind != Token::Word)
      return fail(tok_, "expected MAJOR[.MINOR] after VERSION");
    std::string_view v = tok_.text;
    size_t dot = v.find('.');
    uint64_t n;
    if (!parse_number(v.substr(0, dot), n) ||
        (dot != std::string_view::npos && !parse_number(v.substr(dot + 1), n)))
      return fail(tok_, "expected MAJOR[.MINOR] after VERSION");
    advance();
    return {};
  }

  // SECTIONS NAME ATTR... (several), CODE ATTR..., DATA ATTR...: attributes of
  // the DLL's sections. They do not change an import library; they are read
  // and checked, then left aside.
  Error parse_sections(std::string_view kw) {
    if (kw != "SECTIONS") {
      if (!(tok_.kind == Token::Word && is_section_attribute(tok_.text)))
        return fail(tok_, "expected section attributes (READ, WRITE, EXECUTE, SHARED) after " +
                              std::string(kw));
      while (tok_.kind == Token::Word && is_section_attribute(tok_.text))
        advance();
      return {};
    }
    while (is_name()) {
      advance();
      if (tok_.kind == Token::Word && tok_.text == "CLASS") {  // lib.exe: CLASS 'name'
        advance();
        if (!is_name())
          return fail(tok_, "expected a class name after CLASS");
        advance();
      }
      if (!(tok_.kind == Token::Word && is_section_attribute(tok_.text)))
        return fail(tok_, "expected section attributes (READ, WRITE, EXECUTE, SHARED)");
      while (tok_.kind == Token::Word && is_section_attribute(tok_.text))
        advance();
    }
    return {};
  }

  Error parse_ordinal(Export &e) {
    Token at = tok_;
    std::string_view digits = tok_.text.substr(1);
    advance();
    if (digits.empty()) {  // "@ 5"
      if (tok_.kind != Token::Word)
        return fail(tok_, "expected an ordinal after '@'");
      digits = tok_.text;
      at = tok_;
      advance();
    }
    uint64_t v;
    if (!parse_number(digits, v))
      return fail(at, "expected an ordinal (a number from 1 to 65535) after '@', found '" +
                          std::string(digits) + "'");
    if (v == 0 || v > 65535)
      return fail(at, "ordinal " + std::string(digits) + " is out of range (1 to 65535)");
    e.ordinal = static_cast<uint32_t>(v);
    return {};
  }

  Error parse_exports() {
    while (is_name() &&
           !(tok_.kind == Token::Word && (tok_.text == "NONAME" || tok_.text == "PRIVATE" ||
                                         tok_.text == "CONSTANT" || tok_.text == "EXPORTAS"))) {
      Export e;
      e.name = tok_.text;
      e.origin = where(tok_);
      advance();
      if (tok_.kind == Token::Equal) {
        advance();
        if (!is_name())
          return fail(tok_, "expected the internal name after '='");
        e.internal = tok_.text;
        advance();
      }
      for (;;) {
        if (tok_.kind == Token::Word && is_ordinal_word(tok_.text)) {
          if (Error err = parse_ordinal(e))
            return err;
        } else if (tok_.kind == Token::EqualEqual) {
          advance();
          if (!is_name())
            return fail(tok_, "expected the import name after '=='");
          e.import_name = tok_.text;
          advance();
        } else if (tok_.kind == Token::Word && tok_.text == "NONAME") {
          e.noname = true;
          advance();
        } else if (tok_.kind == Token::Word && tok_.text == "DATA") {
          e.kind = ExportKind::Data;
          advance();
        } else if (tok_.kind == Token::Word && tok_.text == "CONSTANT") {
          e.kind = ExportKind::Const;
          advance();
        } else if (tok_.kind == Token::Word && tok_.text == "PRIVATE") {
          e.private_ = true;
          advance();
        } else if (tok_.kind == Token::Word && tok_.text == "EXPORTAS") {
          advance();
          if (!is_name())
            return fail(tok_, "expected a name after EXPORTAS");
          e.export_as = tok_.text;
          advance();
        } else if (tok_.kind == Token::Comma || tok_.kind == Token::Equal) {
          return fail(tok_, "expected an export attribute (@ORDINAL, NONAME, DATA, CONSTANT, "
                            "PRIVATE, ==NAME, EXPORTAS NAME) or the next export");
        } else {
          break;
        }
      }
      if (e.noname && e.ordinal == 0)
        return fail(tok_, "export " + e.name + " is NONAME but has no @ordinal");
      module_.exports.push_back(std::move(e));
    }
    if (tok_.kind == Token::Word && !is_statement_keyword(tok_.text))
      return fail(tok_, "expected an export name (" + std::string(tok_.text) +
                            " is an attribute, written after the name it applies to)");
    if (tok_.kind == Token::Equal || tok_.kind == Token::EqualEqual || tok_.kind == Token::Comma)
      return fail(tok_, "expected an export name");
    return {};
  }

  const std::string &file_;
  DefOptions opt_;
  Lexer lex_;
  Token tok_;
  Module module_;
};

} // namespace

Expected<Module> parse_def(std::string_view text, const std::string &file,
                           const DefOptions &opt) {
  return Parser(text, file, opt).run();
}

std::string module_file_name(std::string name, bool exe) {
  size_t slash = name.find_last_of("/\\");
  if (name.find('.', slash == std::string::npos ? 0 : slash + 1) == std::string::npos)
    name += exe ? ".exe" : ".dll";
  return name;
}

} // namespace rtlink::implib
