#include "query/kql.h"

#include <charconv>
#include <utility>

#include "common/status_macros.h"
#include "common/strings.h"

namespace mayak::kql {
namespace {

enum class TokenKind : uint8_t {
  kEnd,
  kWord,    // an unquoted literal
  kQuoted,  // "a phrase"
  kLeftParen,
  kRightParen,
  kColon,
  kRange,  // < <= > >=
  kAnd,
  kOr,
  kNot,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  size_t position = 0;
  Value value;  // kWord, kQuoted
  RangeOp op = RangeOp::kLess;
};

constexpr std::string_view kSpecial = "\\():<>\"{}";

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

absl::Status Error(size_t position, std::string_view what) {
  return absl::InvalidArgumentError(StrCat(what, " at position ", position));
}

std::string_view Describe(const Token& t) {
  switch (t.kind) {
    case TokenKind::kEnd:
      return "the end of the query";
    case TokenKind::kWord:
      return "a word";
    case TokenKind::kQuoted:
      return "a quoted phrase";
    case TokenKind::kLeftParen:
      return "'('";
    case TokenKind::kRightParen:
      return "')'";
    case TokenKind::kColon:
      return "':'";
    case TokenKind::kRange:
      return "a comparison";
    case TokenKind::kAnd:
      return "'and'";
    case TokenKind::kOr:
      return "'or'";
    case TokenKind::kNot:
      return "'not'";
  }
  return "something";
}

// Splits the query into tokens; all of them are read up front, so the
// parser can look ahead (a word followed by ':' is a field).
class Scanner {
 public:
  explicit Scanner(std::string_view query) : query_(query) {}

  absl::StatusOr<std::vector<Token>> Scan() {
    std::vector<Token> tokens;
    while (true) {
      while (pos_ < query_.size() && IsSpace(query_[pos_])) ++pos_;
      Token t;
      t.position = pos_;
      if (pos_ == query_.size()) {
        tokens.push_back(t);
        return tokens;
      }
      const char c = query_[pos_];
      if (c == '(' || c == ')' || c == ':') {
        t.kind = c == '('   ? TokenKind::kLeftParen
                 : c == ')' ? TokenKind::kRightParen
                            : TokenKind::kColon;
        ++pos_;
      } else if (c == '<' || c == '>') {
        t.kind = TokenKind::kRange;
        const bool equal = pos_ + 1 < query_.size() && query_[pos_ + 1] == '=';
        t.op = c == '<' ? (equal ? RangeOp::kLessEqual : RangeOp::kLess)
                        : (equal ? RangeOp::kGreaterEqual : RangeOp::kGreater);
        pos_ += equal ? 2 : 1;
      } else if (c == '{' || c == '}') {
        return Error(pos_,
                     "nested field queries ('{') are not supported: write the full field name, "
                     "such as items.name:widget");
      } else if (c == '"') {
        auto quoted = Quoted();
        if (!quoted.ok()) return quoted.status();
        t.kind = TokenKind::kQuoted;
        t.value = *std::move(quoted);
      } else {
        bool escaped = false;
        t.value = Word(&escaped);
        t.kind = TokenKind::kWord;
        if (!escaped) {
          if (EqualsIgnoreCase(t.value.text, "and")) t.kind = TokenKind::kAnd;
          if (EqualsIgnoreCase(t.value.text, "or")) t.kind = TokenKind::kOr;
          if (EqualsIgnoreCase(t.value.text, "not")) t.kind = TokenKind::kNot;
        }
      }
      tokens.push_back(std::move(t));
    }
  }

 private:
  absl::StatusOr<Value> Quoted() {
    const size_t start = pos_++;
    Value v;
    v.quoted = true;
    while (pos_ < query_.size()) {
      const char c = query_[pos_++];
      if (c == '"') return v;
      if (c == '\\') {
        if (pos_ == query_.size()) break;
        v.text.push_back(query_[pos_++]);
        continue;
      }
      v.text.push_back(c);
    }
    return Error(start, "unterminated quote: a '\"' opened here is never closed");
  }

  // An unquoted literal: up to whitespace or a special character; `\`
  // escapes any character (a trailing `\` stands for itself).
  Value Word(bool* escaped) {
    Value v;
    while (pos_ < query_.size()) {
      const char c = query_[pos_];
      if (IsSpace(c) || (c != '\\' && kSpecial.find(c) != std::string_view::npos)) break;
      ++pos_;
      if (c == '\\' && pos_ < query_.size()) {
        v.text.push_back(query_[pos_++]);
        *escaped = true;
        continue;
      }
      if (c == '*') v.wildcards.push_back(v.text.size());
      v.text.push_back(c);
    }
    return v;
  }

  std::string_view query_;
  size_t pos_ = 0;
};

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  absl::StatusOr<Node> Query() {
    if (Peek().kind == TokenKind::kEnd) return Node{};
    auto node = Or("");
    if (!node.ok()) return node;
    if (Peek().kind != TokenKind::kEnd) return Unexpected("'and', 'or' or the end of the query");
    return node;
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    return tokens_[std::min(next_ + ahead, tokens_.size() - 1)];
  }
  const Token& Take() {
    const Token& t = Peek();
    if (next_ < tokens_.size() - 1) ++next_;
    return t;
  }

  absl::Status Unexpected(std::string_view expected) const {
    const Token& t = Peek();
    // A common slip: two terms without an operator between them.
    if (t.kind == TokenKind::kWord &&
        (Peek(1).kind == TokenKind::kColon || Peek(1).kind == TokenKind::kRange)) {
      return Error(t.position, StrCat("expected ", expected, " but found ", Describe(t),
                                      ": put 'and' or 'or' between two terms"));
    }
    return Error(t.position, StrCat("expected ", expected, " but found ", Describe(t)));
  }

  // Joins `parts` under `kind` (a single part stands alone).
  static Node Join(NodeKind kind, std::vector<Node> parts) {
    if (parts.size() == 1) return std::move(parts[0]);
    Node node;
    node.kind = kind;
    node.position = parts[0].position;
    node.children = std::move(parts);
    return node;
  }

  // `field` is the field of an enclosing field:( ... ), or empty.
  absl::StatusOr<Node> Or(const std::string& field) {
    std::vector<Node> parts;
    while (true) {
      auto part = And(field);
      if (!part.ok()) return part;
      parts.push_back(*std::move(part));
      if (Peek().kind != TokenKind::kOr) break;
      Take();
    }
    return Join(NodeKind::kOr, std::move(parts));
  }

  absl::StatusOr<Node> And(const std::string& field) {
    std::vector<Node> parts;
    while (true) {
      auto part = Not(field);
      if (!part.ok()) return part;
      parts.push_back(*std::move(part));
      if (Peek().kind != TokenKind::kAnd) break;
      Take();
    }
    return Join(NodeKind::kAnd, std::move(parts));
  }

  absl::StatusOr<Node> Not(const std::string& field) {
    // Parentheses and `not` recurse: a bound keeps hostile input off the
    // end of the stack.
    constexpr int kMaxDepth = 100;
    struct Depth {
      int* depth;
      explicit Depth(int* d) : depth(d) { ++*depth; }
      ~Depth() { --*depth; }
      Depth(const Depth&) = delete;
      Depth& operator=(const Depth&) = delete;
    } depth(&depth_);
    if (depth_ > kMaxDepth) {
      return Error(Peek().position, "the query nests parentheses or 'not' too deeply");
    }
    if (Peek().kind != TokenKind::kNot) return Primary(field);
    const size_t position = Take().position;
    auto child = Not(field);
    if (!child.ok()) return child;
    Node node;
    node.kind = NodeKind::kNot;
    node.position = position;
    node.children.push_back(*std::move(child));
    return node;
  }

  absl::StatusOr<Node> Primary(const std::string& field) {
    const Token& t = Peek();
    if (t.kind == TokenKind::kLeftParen) {
      Take();
      auto inner = Or(field);
      if (!inner.ok()) return inner;
      if (Peek().kind != TokenKind::kRightParen) {
        return Unexpected(StrCat("')' to close the '(' at position ", t.position));
      }
      Take();
      return inner;
    }
    // A field name: a word followed by ':' or a comparison (not inside a
    // field's own parentheses, where every word is a value).
    if (field.empty() && t.kind == TokenKind::kWord) {
      const TokenKind after = Peek(1).kind;
      if (after == TokenKind::kColon) return FieldTerm();
      if (after == TokenKind::kRange) return RangeTerm();
    }
    if (t.kind != TokenKind::kWord && t.kind != TokenKind::kQuoted) {
      return Unexpected(field.empty() ? "a term (a word, a \"phrase\", field:value or '(')"
                                      : "a value");
    }
    return Values(field);
  }

  // Words and phrases up to an operator, a parenthesis or the end: each is
  // an alternative.
  absl::StatusOr<Node> Values(const std::string& field) {
    std::vector<Node> parts;
    while (Peek().kind == TokenKind::kWord || Peek().kind == TokenKind::kQuoted) {
      // A word followed by ':' starts another term: leave it, so that the
      // caller reports the missing operator there.
      if (!parts.empty() && Peek().kind == TokenKind::kWord &&
          (Peek(1).kind == TokenKind::kColon || Peek(1).kind == TokenKind::kRange)) {
        break;
      }
      const Token& t = Take();
      Node node;
      node.position = t.position;
      node.field = field;
      if (!t.value.quoted && t.value.text == "*" && t.value.wildcards.size() == 1) {
        node.kind = field.empty() ? NodeKind::kAll : NodeKind::kExists;
      } else {
        node.kind = NodeKind::kMatch;
        node.value = t.value;
      }
      parts.push_back(std::move(node));
    }
    return Join(NodeKind::kOr, std::move(parts));
  }

  absl::StatusOr<Node> FieldTerm() {
    const Token& name = Take();
    if (!name.value.wildcards.empty()) {
      return Error(name.position, "wildcards in field names are not supported");
    }
    Take();  // ':'
    const Token& t = Peek();
    if (t.kind == TokenKind::kLeftParen) {
      Take();
      auto inner = Or(name.value.text);
      if (!inner.ok()) return inner;
      if (Peek().kind != TokenKind::kRightParen) {
        return Unexpected(StrCat("')' to close the '(' at position ", t.position));
      }
      Take();
      return inner;
    }
    if (t.kind != TokenKind::kWord && t.kind != TokenKind::kQuoted) {
      return Unexpected(StrCat("a value after '", name.value.text, ":'"));
    }
    auto values = Values(name.value.text);
    if (values.ok() && values->kind != NodeKind::kOr) values->position = name.position;
    return values;
  }

  absl::StatusOr<Node> RangeTerm() {
    const Token& name = Take();
    if (!name.value.wildcards.empty()) {
      return Error(name.position, "wildcards in field names are not supported");
    }
    const Token& op = Take();
    const Token& value = Peek();
    if (value.kind != TokenKind::kWord && value.kind != TokenKind::kQuoted) {
      return Unexpected(StrCat("a value to compare ", name.value.text, " with"));
    }
    if (!value.value.wildcards.empty()) {
      return Error(value.position, "a comparison takes one value, without wildcards");
    }
    Take();
    Node node;
    node.kind = NodeKind::kRange;
    node.field = name.value.text;
    node.op = op.op;
    node.value = value.value;
    node.position = name.position;
    return node;
  }

  std::vector<Token> tokens_;
  size_t next_ = 0;
  int depth_ = 0;
};

}  // namespace

std::string Quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

namespace {

// A value as it would be written back: quoted, or with its special
// characters and non-wildcard stars escaped.
std::string Written(const Value& v) {
  if (v.quoted) return Quoted(v.text);
  std::string out;
  // A word that reads as a keyword keeps its escape.
  if (EqualsIgnoreCase(v.text, "and") || EqualsIgnoreCase(v.text, "or") ||
      EqualsIgnoreCase(v.text, "not")) {
    out.push_back('\\');
  }
  size_t next_wildcard = 0;
  for (size_t i = 0; i < v.text.size(); ++i) {
    const char c = v.text[i];
    const bool wildcard = next_wildcard < v.wildcards.size() && v.wildcards[next_wildcard] == i;
    if (wildcard) ++next_wildcard;
    if ((c == '*' && !wildcard) || IsSpace(c) || kSpecial.find(c) != std::string_view::npos) {
      out.push_back('\\');
    }
    out.push_back(c);
  }
  return out;
}

// A field name as it would be written back: its special characters escaped.
std::string WrittenField(const std::string& name) {
  Value v;
  v.text = name;
  return Written(v);
}

}  // namespace

absl::StatusOr<Node> Parse(std::string_view query) {
  auto tokens = Scanner(query).Scan();
  if (!tokens.ok()) return tokens.status();
  return Parser(*std::move(tokens)).Query();
}

int64_t SyntaxPosition(const absl::Status& status) {
  const std::string_view message = StatusMessage(status);
  constexpr std::string_view kAt = " at position ";
  const size_t at = message.rfind(kAt);
  if (status.code() != absl::StatusCode::kInvalidArgument || at == std::string_view::npos) {
    return -1;
  }
  int64_t position = -1;
  const std::string_view digits = message.substr(at + kAt.size());
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), position);
  return ec == std::errc() && end == digits.data() + digits.size() ? position : -1;
}

std::string Caret(std::string_view query, size_t position) {
  std::string out(query);
  out.push_back('\n');
  out.append(std::min(position, query.size()), ' ');
  out.push_back('^');
  return out;
}

std::string ToString(const Node& node) {
  switch (node.kind) {
    case NodeKind::kAll:
      return "*";
    case NodeKind::kAnd:
    case NodeKind::kOr: {
      std::string out = "(";
      for (size_t i = 0; i < node.children.size(); ++i) {
        if (i > 0) out += node.kind == NodeKind::kAnd ? " AND " : " OR ";
        out += ToString(node.children[i]);
      }
      return out + ")";
    }
    case NodeKind::kNot:
      return "NOT " + ToString(node.children[0]);
    case NodeKind::kMatch:
      return node.field.empty() ? Written(node.value)
                                : StrCat(WrittenField(node.field), ":", Written(node.value));
    case NodeKind::kRange: {
      constexpr std::string_view kOps[] = {" < ", " <= ", " > ", " >= "};
      return StrCat(WrittenField(node.field), kOps[static_cast<size_t>(node.op)],
                    Written(node.value));
    }
    case NodeKind::kExists:
      return StrCat(WrittenField(node.field), ":*");
  }
  return "";
}

}  // namespace mayak::kql
