#include "pipeline/redaction.h"

#include <re2/re2.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <bit>
#include <utility>

#include "common/json_writer.h"
#include "common/strings.h"
#include "model/span.h"

namespace mayak {
namespace {

constexpr RuleHits kSecretHit = 1;
constexpr RuleHits kCardHit = 2;
constexpr RuleHits kEmailHit = 4;
constexpr size_t kBuiltInRules = 3;
constexpr int64_t kSmallestThirteenDigits = 1'000'000'000'000;  // the shortest card

// A tracer's id (W3C trace context: 32 hex digits a trace, 16 a span), a
// random number, not content: masking one breaks its trace. One span id in
// about 37,000 is 16 decimal digits that look like a card and pass Luhn.
bool IsTracerId(std::string_view value) {
  return IsSpanIdentifier(value, 16) || IsSpanIdentifier(value, 32);
}
bool IsIdField(std::string_view key) {
  return key == field::kTraceId || key == field::kSpanId || key == field::kParentId;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAlnum(char c) { return IsDigit(c) || IsAlpha(c); }
bool IsKeyChar(char c) { return IsAlnum(c) || c == '_' || c == '-' || c == '.'; }

// Lower case without '_' and '-': api_key, API-KEY and apiKey are one key.
std::string NormalizeKey(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (char c : key) {
    if (c == '_' || c == '-') continue;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

// A replacement of text[begin, end).
struct Replacement {
  size_t begin;
  size_t end;
  std::string_view with;
};

void ApplyReplacements(const std::vector<Replacement>& spans, std::string* text) {
  std::string out;
  out.reserve(text->size());
  size_t at = 0;
  for (const Replacement& s : spans) {
    out.append(*text, at, s.begin - at);
    out.append(s.with);
    at = s.end;
  }
  out.append(*text, at, std::string::npos);
  *text = std::move(out);
}

// The length of the separator at `p` ('=', ':', %3D or %3A), or 0.
size_t SeparatorAt(std::string_view text, size_t p) {
  const char c = text[p];
  if (c == '=') return p + 1 < text.size() && text[p + 1] == '=' ? 0 : 1;
  if (c == ':') return text.substr(p + 1, 2) == "//" ? 0 : 1;
  if (c == '%' && p + 2 < text.size() && text[p + 1] == '3') {
    const char d = text[p + 2];
    return d == 'D' || d == 'd' || d == 'A' || d == 'a' ? 3 : 0;
  }
  return 0;
}

// Masks the card numbers of `text` in place. A candidate is one group of
// 13-19 digits, or groups joined by one space or dash as cards are printed
// (4-4-4-4, 4-4-4-1..7, Amex 4-6-5, Diners 4-6-4), not glued to letters or
// other digits.
bool MaskCards(std::string* text) {
  std::string& t = *text;
  bool masked = false;
  size_t i = 0;
  while (i < t.size()) {
    if (!IsDigit(t[i])) {
      ++i;
      continue;
    }
    // A run of digits glued to a word ("id123...") is not a card, nor the
    // digits a masked card kept (so that redacting twice changes nothing).
    const bool glued_before = i > 0 && (IsAlpha(t[i - 1]) || t[i - 1] == '_' || t[i - 1] == '*');
    // Most runs (ids, times, the digits of hex trace ids) hold fewer digits
    // than any card: counted first, they are passed over without the work
    // below.
    size_t run_digits = 0;
    size_t p = i;
    while (true) {
      for (; p < t.size() && IsDigit(t[p]); ++p) ++run_digits;
      if (p + 1 < t.size() && (t[p] == ' ' || t[p] == '-') && IsDigit(t[p + 1])) {
        ++p;
        continue;
      }
      break;
    }
    if (run_digits < 13) {
      i = p;
      continue;
    }
    std::vector<std::pair<size_t, size_t>> groups;  // [begin, end) of each digit group
    p = i;
    while (true) {
      const size_t begin = p;
      while (p < t.size() && IsDigit(t[p])) ++p;
      groups.emplace_back(begin, p);
      if (p + 1 < t.size() && (t[p] == ' ' || t[p] == '-') && IsDigit(t[p + 1])) {
        ++p;
        continue;
      }
      break;
    }
    const bool glued_after = p < t.size() && (IsAlpha(t[p]) || t[p] == '_' || t[p] == '*');
    i = p;
    // A group glued to a word is no part of a card; the others may be.
    const size_t first = glued_before ? 1 : 0;
    const size_t last = groups.size() - (glued_after ? 1 : 0);  // past the end
    // Every candidate card in the run is masked: where candidates overlap
    // (garbled text), masking wins over the digits one of them would keep.
    std::vector<size_t> to_mask;
    for (size_t s = first; s < last; ++s) {
      std::string digits;
      for (size_t e = s; e < last; ++e) {
        const size_t len = groups[e].second - groups[e].first;
        // Within a printed card, every group but the last is 4 digits,
        // except Amex's and Diners' 6 in second place.
        if (e > s) {
          const size_t prev = groups[e - 1].second - groups[e - 1].first;
          const bool ok_prev = prev == 4 || (prev == 6 && e - 1 == s + 1);
          if (!ok_prev || groups[s].second - groups[s].first != 4) break;
        }
        digits.append(t, groups[e].first, len);
        if (digits.size() > 19) break;
        // Card numbers start with 2-6 (Mastercard 2-series, Amex and Diners 3,
        // Visa 4, Mastercard 5, Discover 6): epoch milliseconds (1...) never pass.
        if (digits.size() < 13 || digits[0] < '2' || digits[0] > '6' || !LuhnValid(digits)) {
          continue;
        }
        // All but the last four digits; separators stay.
        size_t keep = 4;
        for (size_t k = groups[e].second; k-- > groups[s].first;) {
          if (!IsDigit(t[k])) continue;
          if (keep > 0) {
            --keep;
          } else {
            to_mask.push_back(k);
          }
        }
      }
    }
    for (size_t k : to_mask) t[k] = '*';
    masked = masked || !to_mask.empty();
  }
  return masked;
}

bool IsLocalChar(char c) {
  return IsAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

// n***@example.com for every address of `text`.
bool MaskEmails(std::string* text) {
  const std::string& t = *text;
  std::vector<Replacement> spans;
  // '@', or %40 in URL-encoded text (a query string's email=jane%40example.com).
  for (size_t at = t.find_first_of("@%"); at != std::string::npos;
       at = t.find_first_of("@%", at + 1)) {
    size_t sign = 1;
    if (t[at] == '%') {
      if (t.compare(at, 3, "%40") != 0) continue;
      sign = 3;
    }
    size_t l = at;
    while (l > 0 && IsLocalChar(t[l - 1]) && t[l - 1] != '%') --l;
    if (l == at) continue;
    size_t r = at + sign;
    while (r < t.size() && (IsAlnum(t[r]) || t[r] == '-' || t[r] == '.')) ++r;
    std::string_view domain(t.data() + at + sign, r - at - sign);
    while (!domain.empty() && (domain.back() == '.' || domain.back() == '-')) {
      domain.remove_suffix(1);  // the end of a sentence
    }
    const size_t dot = domain.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || domain.front() == '-' ||
        domain.front() == '.') {
      continue;
    }
    const std::string_view tld = domain.substr(dot + 1);
    if (tld.size() < 2 || !std::all_of(tld.begin(), tld.end(), IsAlpha)) continue;
    spans.push_back({l + 1, at, "***"});
  }
  if (spans.empty()) return false;
  ApplyReplacements(spans, text);
  return true;
}

// What a text holds that rules look for, found in one pass 16 bytes at a
// time: most values have no separator, no '@' and few digits, and skip the
// rules' own scans.
struct TextTraits {
  bool separator = false;  // '=', ':' or '%'
  bool at = false;         // '@' or '%'
  size_t digits = 0;
  // Letters and digits only, at least one letter: a hexadecimal id, a
  // user name. Its digits are all glued to a letter, so hold no card.
  bool one_word_with_letters = false;
};

// Bits for the bytes of `bytes` (16 at most): as TextTraits counts them.
struct ByteClasses {
  uint32_t separator = 0;
  uint32_t at = 0;
  uint32_t digit = 0;
  uint32_t letter = 0;
};

ByteClasses ClassifyScalar(const unsigned char* bytes, size_t n) {
  ByteClasses classes;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = bytes[i];
    const uint32_t bit = 1u << i;
    if (c == '=' || c == ':' || c == '%') classes.separator |= bit;
    if (c == '@' || c == '%') classes.at |= bit;
    if (static_cast<unsigned char>(c - '0') < 10) classes.digit |= bit;
    if (static_cast<unsigned char>((c | 0x20) - 'a') < 26) classes.letter |= bit;
  }
  return classes;
}

ByteClasses Classify16(const unsigned char* bytes) {
#if defined(__SSE2__)
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes));
  const auto eq = [&v](char c) { return _mm_cmpeq_epi8(v, _mm_set1_epi8(c)); };
  // x <= max, unsigned: min(x, max) == x.
  const auto at_most = [](__m128i x, char max) {
    return _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(max)), x);
  };
  const auto bits = [](__m128i m) { return static_cast<uint32_t>(_mm_movemask_epi8(m)); };
  const __m128i percent = eq('%');
  ByteClasses classes;
  classes.separator = bits(_mm_or_si128(_mm_or_si128(eq('='), eq(':')), percent));
  classes.at = bits(_mm_or_si128(eq('@'), percent));
  classes.digit = bits(at_most(_mm_sub_epi8(v, _mm_set1_epi8('0')), 9));
  const __m128i folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
  classes.letter = bits(at_most(_mm_sub_epi8(folded, _mm_set1_epi8('a')), 25));
  return classes;
#else
  return ClassifyScalar(bytes, 16);
#endif
}

TextTraits Scan(std::string_view text) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  uint32_t separator = 0;
  uint32_t at = 0;
  uint32_t letters = 0;
  bool others = false;
  size_t digits = 0;
  const auto add = [&](const ByteClasses& c, uint32_t all) {
    separator |= c.separator;
    at |= c.at;
    letters |= c.letter;
    others = others || ((c.digit | c.letter) != all);
    digits += static_cast<size_t>(std::popcount(c.digit));
  };
  size_t i = 0;
  for (; i + 16 <= n; i += 16) add(Classify16(bytes + i), 0xFFFFu);
  if (i < n) add(ClassifyScalar(bytes + i, n - i), (1u << (n - i)) - 1);
  return {separator != 0, at != 0, digits, letters != 0 && !others};
}

}  // namespace

struct Redactor::Compiled {
  explicit Compiled(const RedactionRule& rule) : re(rule.pattern, RE2::Quiet) {}
  RE2 re;
};

bool LuhnValid(std::string_view digits) {
  int sum = 0;
  bool double_it = false;
  for (size_t i = digits.size(); i-- > 0;) {
    int d = digits[i] - '0';
    if (double_it) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double_it = !double_it;
  }
  return !digits.empty() && sum % 10 == 0;
}

Redactor::Redactor(RedactionOptions options) : options_(std::move(options)) {
  for (const std::string& key : options_.secret_keys) secret_keys_.insert(NormalizeKey(key));
  for (const std::string& key : options_.secret_key_suffixes) {
    secret_suffixes_.push_back(NormalizeKey(key));
    const std::string& suffix = secret_suffixes_.back();
    if (suffix.empty()) {
      suffix_ends_.fill(true);  // every key ends in it
    } else {
      suffix_ends_[static_cast<unsigned char>(suffix.back())] = true;
    }
  }
  rule_names_ = {"secret_key", "card_number", "email"};
}

Redactor::~Redactor() = default;

absl::StatusOr<std::unique_ptr<Redactor>> Redactor::Create(RedactionOptions options) {
  if (options.rules.size() > 64 - kBuiltInRules) {
    return absl::InvalidArgumentError("redaction: at most 61 extra rules");
  }
  std::unique_ptr<Redactor> redactor(new Redactor(std::move(options)));
  for (const RedactionRule& rule : redactor->options_.rules) {
    if (rule.name.empty()) return absl::InvalidArgumentError("redaction: a rule has no name");
    auto compiled = std::make_unique<Compiled>(rule);
    if (!compiled->re.ok()) {
      return absl::InvalidArgumentError(
          StrCat("redaction rule '", rule.name,
                 "': the pattern does not compile: ", compiled->re.error()));
    }
    std::string error;
    if (!compiled->re.CheckRewriteString(rule.replacement, &error)) {
      return absl::InvalidArgumentError(
          StrCat("redaction rule '", rule.name, "': bad replacement: ", error));
    }
    redactor->compiled_.push_back(std::move(compiled));
    redactor->rule_names_.push_back(rule.name);
  }
  return redactor;
}

bool Redactor::IsSecretKey(std::string_view key) const {
  // Looked up for every field of every record: normalized on the stack.
  const size_t dot = key.rfind('.');
  if (dot != std::string_view::npos) key.remove_prefix(dot + 1);
  char buffer[64];
  size_t n = 0;
  for (char c : key) {
    if (c == '_' || c == '-') continue;
    if (n == sizeof(buffer)) return IsNormalizedSecret(NormalizeKey(key));  // long: on the heap
    buffer[n++] = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return IsNormalizedSecret(std::string_view(buffer, n));
}

bool Redactor::IsNormalizedSecret(std::string_view normalized) const {
  if (normalized.empty()) return false;
  if (secret_keys_.contains(normalized)) return true;
  // Most keys end in a letter no suffix ends in.
  if (!suffix_ends_[static_cast<unsigned char>(normalized.back())]) return false;
  return std::any_of(secret_suffixes_.begin(), secret_suffixes_.end(),
                     [normalized](const std::string& s) { return normalized.ends_with(s); });
}

bool Redactor::RedactSecrets(std::string* text) const {
  const std::string_view t = *text;
  std::vector<Replacement> spans;
  size_t p = 0;
  while (p < t.size()) {
    const size_t next = t.find_first_of("=:%", p);
    if (next == std::string_view::npos) break;
    p = next;
    const size_t separator = SeparatorAt(t, p);
    if (separator == 0) {
      ++p;
      continue;
    }
    // The key before the separator, past closing quotes and spaces.
    size_t key_end = p;
    for (int skipped = 0; key_end > 0 && skipped < 4; ++skipped) {
      const char c = t[key_end - 1];
      if (c != ' ' && c != '\t' && c != '"' && c != '\'' && c != '\\') break;
      --key_end;
    }
    size_t key_begin = key_end;
    while (key_begin > 0 && IsKeyChar(t[key_begin - 1])) --key_begin;
    const std::string_view key = t.substr(key_begin, key_end - key_begin);
    size_t v = p + separator;
    p = v;
    if (key.empty() || !IsSecretKey(key)) continue;
    while (v < t.size() && (t[v] == ' ' || t[v] == '\t')) ++v;
    if (v >= t.size()) break;
    size_t begin = v;
    size_t end = t.size();
    if (t[v] == '"' || t[v] == '\'' ||
        (t[v] == '\\' && v + 1 < t.size() && (t[v + 1] == '"' || t[v + 1] == '\''))) {
      // Quoted: up to the same quote (escaped quotes inside are skipped).
      const bool escaped = t[v] == '\\';
      const char quote = escaped ? t[v + 1] : t[v];
      begin = v + (escaped ? 2 : 1);
      for (size_t k = begin; k < t.size(); ++k) {
        if (t[k] != quote) continue;
        const bool backslash = k > begin && t[k - 1] == '\\';
        if (escaped ? backslash : !backslash) {
          end = escaped ? k - 1 : k;
          break;
        }
      }
    } else {
      const std::string normalized = NormalizeKey(key.substr(key.rfind('.') + 1));
      if (normalized == "cookie" || normalized == "setcookie") {
        // Every cookie of the header: to the end of the line.
        end = std::min(t.find_first_of("\r\n", v), t.size());
      } else {
        end = std::min(t.find_first_of(" \t\r\n&,;\"'}])<>", v), t.size());
        // In URL-encoded text (key%3Dvalue) the next pair starts at %26.
        if (separator == 3) end = std::min(end, std::min(t.find("%26", v), t.size()));
        // "Authorization: Bearer abc": the scheme and its credentials.
        if (normalized.ends_with("authorization") && end < t.size() && t[end] == ' ' &&
            std::all_of(t.begin() + static_cast<ptrdiff_t>(v),
                        t.begin() + static_cast<ptrdiff_t>(end), IsAlpha)) {
          size_t token = end;
          while (token < t.size() && t[token] == ' ') ++token;
          const size_t token_end = std::min(t.find_first_of(" \t\r\n,;\"'}])<>", token), t.size());
          if (token_end > token) end = token_end;
        }
      }
    }
    if (end <= begin || t.substr(begin).starts_with(kRedacted)) {
      p = std::max(p, end);
      continue;
    }
    spans.push_back({begin, end, kRedacted});
    p = end;
  }
  if (spans.empty()) return false;
  ApplyReplacements(spans, text);
  return true;
}

RuleHits Redactor::RedactText(std::string* text) const {
  RuleHits hits = 0;
  const TextTraits traits = Scan(*text);
  if (traits.separator && RedactSecrets(text)) hits |= kSecretHit;
  if (options_.cards && traits.digits >= 13 && !traits.one_word_with_letters && MaskCards(text)) {
    hits |= kCardHit;
  }
  if (options_.emails && traits.at && MaskEmails(text)) hits |= kEmailHit;
  for (size_t i = 0; i < compiled_.size(); ++i) {
    if (RE2::GlobalReplace(text, compiled_[i]->re, options_.rules[i].replacement) > 0) {
      hits |= RuleHits{1} << (kBuiltInRules + i);
    }
  }
  return hits;
}

RuleHits Redactor::RedactLinks(std::string* json) const {
  // Each link begins {"trace.id":"<id>","span.id":"<id>" as an element of
  // the array, after '[' or ',' (LinksJson in model/span.cc writes them
  // so). Those two ids are kept; the rest is redacted as text, attributes
  // of a link named like them included.
  constexpr std::string_view kTraceKey = R"({"trace.id":")";
  constexpr std::string_view kSpanKey = R"(","span.id":")";
  constexpr size_t kNone = std::string_view::npos;
  const std::string_view text = *json;
  std::vector<std::pair<size_t, size_t>> kept;  // [begin, end) of each id kept
  for (size_t key = text.find(kTraceKey); key != kNone; key = text.find(kTraceKey, key + 1)) {
    if (key == 0 || (text[key - 1] != '[' && text[key - 1] != ',')) continue;
    const size_t trace = key + kTraceKey.size();
    const size_t trace_end = text.find('"', trace);
    if (trace_end == kNone) break;
    if (!IsTracerId(text.substr(trace, trace_end - trace)) ||
        text.substr(trace_end, kSpanKey.size()) != kSpanKey) {
      continue;
    }
    const size_t span = trace_end + kSpanKey.size();
    const size_t span_end = text.find('"', span);
    if (span_end == kNone) break;
    if (!IsSpanIdentifier(text.substr(span, span_end - span), 16)) continue;
    kept.emplace_back(trace, trace_end);
    kept.emplace_back(span, span_end);
    key = span_end;
  }
  if (kept.empty()) return RedactText(json);
  std::string out;
  std::string piece;
  RuleHits hits = 0;
  size_t at = 0;  // start of the text not yet redacted
  for (const auto& [begin, end] : kept) {
    piece.assign(text.substr(at, begin - at));
    hits |= RedactText(&piece);
    out.append(piece).append(text.substr(begin, end - begin));
    at = end;
  }
  piece.assign(text.substr(at));
  hits |= RedactText(&piece);
  out.append(piece);
  *json = std::move(out);
  return hits;
}

RuleHits Redactor::Redact(LogRecord* record) const {
  // `redacted` is Mayak's own mark: one a sender wrote is neither trusted
  // nor kept (it could hide a secret or fake a redaction).
  std::erase_if(record->attributes, [](const Attribute& a) { return a.key == kField; });
  RuleHits hits = RedactText(&record->message) | RedactText(&record->service);
  for (Attribute& a : record->attributes) {
    if (IsSecretKey(a.key)) {
      const auto* s = std::get_if<std::string>(&a.value);
      if (s == nullptr || *s != kRedacted) {
        a.value = std::string(kRedacted);
        hits |= kSecretHit;
      }
      continue;
    }
    if (auto* s = std::get_if<std::string>(&a.value)) {
      if (IsIdField(a.key) && IsTracerId(*s)) continue;
      hits |= a.key == field::kSpanLinks ? RedactLinks(s) : RedactText(s);
    } else if (const auto* n = std::get_if<int64_t>(&a.value);
               n != nullptr && *n >= kSmallestThirteenDigits) {
      // A card number sent as a JSON number.
      std::string digits = StrCat(*n);
      if (options_.cards && digits.size() >= 13 && MaskCards(&digits)) {
        a.value = std::move(digits);
        hits |= kCardHit;
      }
    }
  }
  if (hits == 0) return 0;
  std::string names;
  JsonWriter json(&names);
  json.BeginArray();
  for (size_t bit = 0; bit < rule_names_.size(); ++bit) {
    if ((hits >> bit) & 1) json.String(rule_names_[bit]);
  }
  json.EndArray();
  for (Attribute& a : record->attributes) {
    if (a.key == kField) {
      a.value = std::move(names);
      return hits;
    }
  }
  record->attributes.push_back({std::string(kField), std::move(names)});
  return hits;
}

}  // namespace mayak
