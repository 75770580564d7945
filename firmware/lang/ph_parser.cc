// Pattern-file parser (see ph_parser.h): a lexer that turns indentation into
// statement boundaries, then recursive descent over the operator table of
// LANGUAGE.md §2 (loosest first): `$`, `#`, `+ -`, `* /`, application.
#include "firmware/lang/ph_parser.h"

#include <cctype>
#include <cstdlib>

namespace gb::fw::ph {

Loc LocAt(std::string_view text, size_t offset) {
  Loc l;
  l.line = 1;
  l.col = 1;
  l.offset = offset;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++l.line;
      l.col = 1;
    } else {
      ++l.col;
    }
  }
  return l;
}

namespace {

struct Token {
  enum class Kind { kNumber, kString, kIdent, kBus, kKwarg, kColon, kOp, kLParen, kRParen, kNewline, kEnd };
  Kind kind;
  size_t offset;
  std::string text;
  double number = 0;
  char op = 0;
};

const char* KindName(Token::Kind k) {
  switch (k) {
    case Token::Kind::kNumber: return "a number";
    case Token::Kind::kString: return "a \"pattern\"";
    case Token::Kind::kIdent: return "a name";
    case Token::Kind::kBus: return "a ~bus";
    case Token::Kind::kKwarg: return "a :keyword";
    case Token::Kind::kColon: return "':'";
    case Token::Kind::kOp: return "an operator";
    case Token::Kind::kLParen: return "'('";
    case Token::Kind::kRParen: return "')'";
    case Token::Kind::kNewline: return "the end of the statement";
    case Token::Kind::kEnd: return "the end of the file";
  }
  return "?";
}

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  std::vector<Token> Run() {
    std::vector<Token> out;
    bool line_start = true;
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (line_start) {
        line_start = false;
        // A line that begins in column 1 with real content starts a statement.
        if (!IsSpace(c) && c != '\n' && !(c == '-' && Peek(1) == '-') && c != '\r') {
          if (!out.empty() && out.back().kind != Token::Kind::kNewline)
            out.push_back(Token{Token::Kind::kNewline, i_, "", 0, 0});
        }
      }
      if (c == '\n') {
        line_start = true;
        ++i_;
        continue;
      }
      if (IsSpace(c) || c == '\r') {
        ++i_;
        continue;
      }
      if (c == '-' && Peek(1) == '-') {
        while (i_ < s_.size() && s_[i_] != '\n') ++i_;
        continue;
      }
      const size_t at = i_;
      if (c == '"') {
        size_t j = s_.find('"', i_ + 1);
        if (j == std::string_view::npos) throw Error(LocAt(s_, at), "unterminated string: expected a closing '\"'");
        out.push_back(Token{Token::Kind::kString, at, std::string(s_.substr(i_ + 1, j - i_ - 1)), 0, 0});
        i_ = j + 1;
        continue;
      }
      if (std::isdigit(static_cast<unsigned char>(c)) || (c == '.' && IsDigitAt(i_ + 1)) ||
          (c == '-' && NegativeLiteralHere(out))) {
        out.push_back(Number());
        continue;
      }
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        out.push_back(Token{Token::Kind::kIdent, at, Word(), 0, 0});
        continue;
      }
      if (c == '~') {
        ++i_;
        if (i_ >= s_.size() || !(std::isalpha(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_'))
          throw Error(LocAt(s_, at), "expected a bus name after '~' (like ~lfo)");
        out.push_back(Token{Token::Kind::kBus, at, Word(), 0, 0});
        continue;
      }
      if (c == ':') {
        bool spaced = at > 0 && (IsSpace(s_[at - 1]) || s_[at - 1] == '\n');
        if (spaced && i_ + 1 < s_.size() && std::isalpha(static_cast<unsigned char>(s_[i_ + 1]))) {
          ++i_;
          out.push_back(Token{Token::Kind::kKwarg, at, Word(), 0, 0});
        } else {
          ++i_;
          out.push_back(Token{Token::Kind::kColon, at, ":", 0, 0});
        }
        continue;
      }
      if (c == '$' || c == '#' || c == '+' || c == '-' || c == '*' || c == '/') {
        ++i_;
        out.push_back(Token{Token::Kind::kOp, at, std::string(1, c), 0, c});
        continue;
      }
      if (c == '(') { ++i_; out.push_back(Token{Token::Kind::kLParen, at, "(", 0, 0}); continue; }
      if (c == ')') { ++i_; out.push_back(Token{Token::Kind::kRParen, at, ")", 0, 0}); continue; }
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f)
        throw Error(LocAt(s_, at), "unexpected byte 0x" + Hex(static_cast<unsigned char>(c)) + " outside a string");
      throw Error(LocAt(s_, at), std::string("unexpected '") + c + "'");
    }
    out.push_back(Token{Token::Kind::kEnd, s_.size(), "", 0, 0});
    return out;
  }

 private:
  static bool IsSpace(char c) { return c == ' ' || c == '\t'; }
  char Peek(size_t k) const { return i_ + k < s_.size() ? s_[i_ + k] : '\0'; }
  bool IsDigitAt(size_t p) const { return p < s_.size() && std::isdigit(static_cast<unsigned char>(s_[p])); }
  static std::string Hex(unsigned v) {
    const char* d = "0123456789abcdef";
    return std::string{d[v >> 4], d[v & 15]};
  }
  // '-' directly before a number, where a value (not an operator) is expected.
  bool NegativeLiteralHere(const std::vector<Token>& out) const {
    if (!(IsDigitAt(i_ + 1) || (Peek(1) == '.' && IsDigitAt(i_ + 2)))) return false;
    if (out.empty()) return true;
    const Token& p = out.back();
    if (p.kind == Token::Kind::kOp || p.kind == Token::Kind::kLParen || p.kind == Token::Kind::kColon ||
        p.kind == Token::Kind::kKwarg || p.kind == Token::Kind::kNewline)
      return true;
    // `f -1`: a spaced minus glued to its number is a negative argument.
    return i_ > 0 && IsSpace(s_[i_ - 1]);
  }
  std::string Word() {
    size_t b = i_;
    while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_')) ++i_;
    return std::string(s_.substr(b, i_ - b));
  }
  Token Number() {
    size_t b = i_;
    if (s_[i_] == '-') ++i_;
    while (IsDigitAt(i_)) ++i_;
    if (i_ < s_.size() && s_[i_] == '.' && IsDigitAt(i_ + 1)) {
      ++i_;
      while (IsDigitAt(i_)) ++i_;
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      size_t q = i_ + 1;
      if (q < s_.size() && (s_[q] == '-' || s_[q] == '+')) ++q;
      if (IsDigitAt(q)) {
        i_ = q;
        while (IsDigitAt(i_)) ++i_;
      }
    }
    if (i_ < s_.size() && (std::isalpha(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_'))
      throw Error(LocAt(s_, b), "expected a number, found '" + std::string(s_.substr(b, i_ - b + 1)) +
                                    "' (names cannot start with a digit)");
    std::string t(s_.substr(b, i_ - b));
    return Token{Token::Kind::kNumber, b, t, std::strtod(t.c_str(), nullptr), 0};
  }

  std::string_view s_;
  size_t i_ = 0;
};

class Parser {
 public:
  Parser(std::string_view s, std::vector<Token> toks, const Limits& lim) : s_(s), t_(std::move(toks)), lim_(lim) {}

  File Run() {
    File f;
    while (Cur().kind != Token::Kind::kEnd) {
      if (Cur().kind == Token::Kind::kNewline) {
        ++i_;
        continue;
      }
      if (f.statements.size() >= lim_.max_statements)
        throw Error(L(Cur()), "too many statements (limit " + std::to_string(lim_.max_statements) + ")");
      f.statements.push_back(Statement_());
      if (Cur().kind != Token::Kind::kNewline && Cur().kind != Token::Kind::kEnd)
        throw Error(L(Cur()), std::string("expected the end of the statement, found ") + Describe(Cur()) +
                                  " (continuation lines must be indented)");
    }
    return f;
  }

 private:
  const Token& Cur() const { return t_[i_]; }
  const Token& At(size_t k) const { return t_[std::min(i_ + k, t_.size() - 1)]; }
  Loc L(const Token& t) const { return LocAt(s_, t.offset); }
  std::string Describe(const Token& t) const {
    if (t.kind == Token::Kind::kOp || t.kind == Token::Kind::kIdent) return "'" + t.text + "'";
    return KindName(t.kind);
  }

  static bool IsOutputName(const std::string& n, int* index) {
    if (n == "out") { *index = 0; return true; }
    std::string_view v(n);
    for (std::string_view p : {"out", "o", "d"}) {
      if (v.size() > p.size() && v.substr(0, p.size()) == p) {
        std::string_view d = v.substr(p.size());
        if (d.size() > 2 || d[0] == '0') continue;
        bool digits = true;
        for (char c : d) digits &= std::isdigit(static_cast<unsigned char>(c)) != 0;
        if (!digits) continue;
        int k = std::atoi(std::string(d).c_str());
        if (k >= 1 && k <= 16) { *index = k; return true; }
      }
    }
    return false;
  }

  Statement Statement_() {
    Statement st;
    const Token& head = Cur();
    st.loc = L(head);
    if (head.kind == Token::Kind::kIdent && (head.text == "hush" || head.text.rfind("hush", 0) == 0) &&
        (At(1).kind == Token::Kind::kNewline || At(1).kind == Token::Kind::kEnd)) {
      st.kind = Statement::Kind::kHush;
      st.target = head.text;
      if (head.text != "hush") {
        int idx;
        if (!IsOutputName("o" + head.text.substr(4), &idx))
          throw Error(st.loc, "expected hush or hush1 ... hush16, found '" + head.text + "'");
        st.hush_output = idx;
      }
      ++i_;
      return st;
    }
    if (head.kind == Token::Kind::kBus) {
      st.target = "~" + head.text;
      ++i_;
      if (!(Cur().kind == Token::Kind::kColon || (Cur().kind == Token::Kind::kOp && Cur().op == '$')))
        throw Error(L(Cur()), "expected ':' or '$' after " + st.target + " (a bus definition: " + st.target +
                                  ": expression)");
      ++i_;
    } else if (head.kind == Token::Kind::kIdent) {
      int idx;
      bool known = head.text == "bpm" || head.text == "tempo" || head.text == "cps" || IsOutputName(head.text, &idx);
      if (!known)
        throw Error(st.loc, "expected a statement (bpm:, tempo:, cps:, out:, o1: ... o16:, ~name:, hush), found '" +
                                head.text + "'");
      st.target = head.text;
      ++i_;
      bool dollar_ok = IsOutputName(head.text, &idx);
      if (!(Cur().kind == Token::Kind::kColon || (dollar_ok && Cur().kind == Token::Kind::kOp && Cur().op == '$')))
        throw Error(L(Cur()), "expected ':' after '" + head.text + "'");
      ++i_;
    } else {
      throw Error(st.loc, std::string("expected a statement (like o1: s \"bd\"), found ") + Describe(head));
    }
    if (Cur().kind == Token::Kind::kNewline || Cur().kind == Token::Kind::kEnd)
      throw Error(L(Cur()), "expected an expression after '" + st.target + ":'");
    st.expr = Dollar();
    return st;
  }

  struct Depth {
    Parser* p;
    Depth(Parser* parser, const Token& t) : p(parser) {
      if (++p->depth_ > p->lim_.max_depth)
        throw Error(p->L(t), "expression nested deeper than " + std::to_string(p->lim_.max_depth) + " levels");
    }
    ~Depth() { --p->depth_; }
  };

  bool IsOp(char c) const { return Cur().kind == Token::Kind::kOp && Cur().op == c; }

  ExprPtr Dollar() {
    Loc loc = L(Cur());
    std::vector<ExprPtr> parts;
    parts.push_back(Hash());
    while (IsOp('$')) {
      ++i_;
      parts.push_back(Hash());
    }
    if (parts.size() == 1) return std::move(parts[0]);
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Kind::kDollar;
    e->loc = loc;
    e->args = std::move(parts);
    return e;
  }

  ExprPtr Binary(ExprPtr l, char op, const Token& t, ExprPtr r) {
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Kind::kBinary;
    e->loc = L(t);
    e->op = op;
    e->args.push_back(std::move(l));
    e->args.push_back(std::move(r));
    return e;
  }

  ExprPtr Hash() {
    ExprPtr l = Additive();
    while (IsOp('#')) {
      const Token& t = Cur();
      ++i_;
      l = Binary(std::move(l), '#', t, Additive());
    }
    return l;
  }
  ExprPtr Additive() {
    ExprPtr l = Multiplicative();
    while (IsOp('+') || IsOp('-')) {
      const Token& t = Cur();
      ++i_;
      l = Binary(std::move(l), t.op, t, Multiplicative());
    }
    return l;
  }
  ExprPtr Multiplicative() {
    ExprPtr l = Application();
    while (IsOp('*') || IsOp('/')) {
      const Token& t = Cur();
      ++i_;
      l = Binary(std::move(l), t.op, t, Application());
    }
    return l;
  }

  bool StartsAtom() const {
    auto k = Cur().kind;
    return k == Token::Kind::kNumber || k == Token::Kind::kString || k == Token::Kind::kIdent ||
           k == Token::Kind::kBus || k == Token::Kind::kLParen;
  }

  ExprPtr Application() {
    Loc loc = L(Cur());
    ExprPtr head = Atom();
    if (!StartsAtom() && Cur().kind != Token::Kind::kKwarg) return head;
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Kind::kApply;
    e->loc = loc;
    e->args.push_back(std::move(head));
    while (StartsAtom() || Cur().kind == Token::Kind::kKwarg) {
      if (Cur().kind == Token::Kind::kKwarg) {
        const Token& kw = Cur();
        ++i_;
        if (!StartsAtom()) throw Error(L(Cur()), "expected a value after :" + kw.text);
        e->kwarg_locs.push_back(L(kw));
        e->kwargs.emplace_back(kw.text, Atom());
        continue;
      }
      if (!e->kwargs.empty())
        throw Error(L(Cur()), "expected a :keyword argument (positional arguments come first)");
      e->args.push_back(Atom());
    }
    return e;
  }

  ExprPtr Atom() {
    const Token& t = Cur();
    auto e = std::make_unique<Expr>();
    e->loc = L(t);
    switch (t.kind) {
      case Token::Kind::kNumber:
        e->kind = Expr::Kind::kNumber;
        e->number = t.number;
        e->text = t.text;
        ++i_;
        return e;
      case Token::Kind::kString:
        e->kind = Expr::Kind::kString;
        e->text = t.text;
        ++i_;
        return e;
      case Token::Kind::kIdent:
        e->kind = Expr::Kind::kIdent;
        e->text = t.text;
        ++i_;
        return e;
      case Token::Kind::kBus:
        e->kind = Expr::Kind::kBus;
        e->text = t.text;
        ++i_;
        return e;
      case Token::Kind::kLParen: {
        Depth d(this, t);
        ++i_;
        if (Cur().kind == Token::Kind::kRParen) throw Error(L(Cur()), "expected an expression inside ( )");
        ExprPtr inner = Dollar();
        if (Cur().kind != Token::Kind::kRParen)
          throw Error(L(Cur()), std::string("expected ')' to close the '(' at line ") + std::to_string(e->loc.line) +
                                    " column " + std::to_string(e->loc.col) + ", found " + Describe(Cur()));
        ++i_;
        return inner;
      }
      default:
        throw Error(L(t), std::string("expected a value (number, \"pattern\", name, ~bus or '('), found ") +
                              Describe(t));
    }
  }

  std::string_view s_;
  std::vector<Token> t_;
  Limits lim_;
  size_t i_ = 0;
  int depth_ = 0;
};

}  // namespace

File Parse(std::string_view text, const Limits& limits) {
  if (text.size() > limits.max_file_bytes)
    throw Error(Loc{1, 1, 0}, "file too large: " + std::to_string(text.size()) + " bytes (limit " +
                                  std::to_string(limits.max_file_bytes) + ")");
  return Parser(text, Lexer(text).Run(), limits).Run();
}

}  // namespace gb::fw::ph
