#include "storage/string_templates.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <numeric>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "common/string_hash.h"
#include "storage/column_encoding.h"

namespace mayak {
namespace {

// The bytes that mark a template's slots; a value holding one is not
// templated (no escaping: such values are rare enough to stay plain).
constexpr char kNumberSlot = '\x01';     // the row's next number
constexpr char kReferenceSlot = '\x02';  // followed by a byte: the reference's index
constexpr char kWordSlot = '\x03';       // the chunk's next word with digits in it

// The k-th number of a row goes to stream min(k, kNumberStreams - 1): the
// first numbers of a row tend to be alike (an id, a duration), which a
// stream of their own keeps together.
constexpr size_t kNumberStreams = 8;
constexpr size_t kMaxTemplates = 65536;
constexpr size_t kMaxDigits = 18;  // below 10^18: an int64 holds any of them

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsWordChar(char c) { return IsDigit(c) || IsLetter(c) || c == '_'; }

// Digits that print back the same from an int64: no leading zero (but "0"),
// at most kMaxDigits.
bool IsCanonicalNumber(std::string_view digits) {
  return !digits.empty() && digits.size() <= kMaxDigits && (digits[0] != '0' || digits.size() == 1);
}

int64_t ParseDigits(std::string_view digits) {
  int64_t n = 0;
  for (char c : digits) n = n * 10 + (c - '0');
  return n;
}

// Builds the templates of one chunk's values.
class TemplateBuilder {
 public:
  TemplateBuilder(std::vector<const RowTexts*> fields, size_t max_templates)
      : fields_(std::move(fields)), max_templates_(max_templates) {
    if (fields_.size() > kMaxTemplateReferences) fields_.resize(kMaxTemplateReferences);
    reference_of_field_.assign(fields_.size(), -1);
    active_.resize(fields_.size());
    std::iota(active_.begin(), active_.end(), size_t{0});
    found_.assign(fields_.size(), false);
    digits_.resize(fields_.size());
  }

  // Adds value `v` of row `row`; false when the chunk should not be templated.
  bool Add(std::string_view v, size_t row) {
    if (v.find_first_of(std::string_view("\x01\x02\x03", 3)) != std::string_view::npos) {
      return false;
    }
    FindReferences(v, row);
    template_.clear();
    numbers_in_row_ = 0;
    size_t cursor = 0;
    for (const Match& m : matches_) {
      AddText(v.substr(cursor, m.start - cursor));
      template_.push_back(kReferenceSlot);
      template_.push_back(static_cast<char>(Reference(m.field)));
      cursor = m.start + m.size;
    }
    AddText(v.substr(cursor));
    const auto [it, added] =
        index_.try_emplace(template_, static_cast<uint32_t>(templates_.size()));
    if (added) {
      if (templates_.size() >= max_templates_) return false;
      templates_.push_back(template_);
    }
    codes_.push_back(it->second);
    return true;
  }

  void Write(uint32_t version, std::string* out) const {
    PutVarint(out, references_.size());
    for (size_t field : references_) PutVarint(out, fields_[field]->column());
    PutVarint(out, templates_.size());
    for (const std::string& t : templates_) PutString(out, t);
    const bool wide = templates_.size() > 256;
    for (uint32_t code : codes_) {
      out->push_back(static_cast<char>(code & 0xFF));
      if (wide) out->push_back(static_cast<char>(code >> 8));
    }
    size_t streams = kNumberStreams;
    while (streams > 0 && numbers_[streams - 1].empty()) --streams;
    PutVarint(out, streams);
    std::string encoded;
    for (size_t s = 0; s < streams; ++s) {
      encoded.clear();
      EncodeIntegers(numbers_[s], &encoded, version);
      PutVarint(out, numbers_[s].size());
      PutString(out, encoded);
    }
    PutVarint(out, words_.size());
    for (std::string_view w : words_) PutString(out, w);
  }

 private:
  struct Match {
    size_t start;
    size_t size;
    size_t field;
  };
  struct Candidate {
    std::string_view text;
    size_t field;
  };
  static constexpr size_t kSampleValues = 256;

  // Where each field of row `row` occurs whole in `v` (at most once each,
  // longest first, never overlapping, not inside a longer word), in order.
  // The first kSampleValues values try every field; the rest only those
  // found in them, as the fields a column's values contain are few and
  // the same throughout (a message its path and status, never its trace id).
  void FindReferences(std::string_view v, size_t row) {
    if (values_seen_++ == kSampleValues) {
      std::erase_if(active_, [this](size_t f) { return !found_[f]; });
    }
    matches_.clear();
    candidates_.clear();
    for (size_t f : active_) {
      const std::optional<std::string_view> text = fields_[f]->Text(row, digits_[f]);
      if (text && text->size() >= 2 && text->size() <= v.size()) {
        candidates_.push_back({*text, f});
      }
    }
    // Longest first, ties in field order: an insertion sort, as there are
    // a few candidates a value (std::stable_sort took a buffer from the
    // heap for each).
    for (size_t i = 1; i < candidates_.size(); ++i) {
      const Candidate c = candidates_[i];
      size_t j = i;
      for (; j > 0 && candidates_[j - 1].text.size() < c.text.size(); --j) {
        candidates_[j] = candidates_[j - 1];
      }
      candidates_[j] = c;
    }
    for (const Candidate& c : candidates_) {
      const std::string_view text = c.text;
      for (size_t at = v.find(text); at != std::string_view::npos; at = v.find(text, at + 1)) {
        const size_t end = at + text.size();
        const bool bounded = (!IsWordChar(text.front()) || at == 0 || !IsWordChar(v[at - 1])) &&
                             (!IsWordChar(text.back()) || end == v.size() || !IsWordChar(v[end]));
        const bool free = std::none_of(matches_.begin(), matches_.end(), [&](const Match& m) {
          return at < m.start + m.size && m.start < end;
        });
        if (bounded && free) {
          matches_.push_back({at, text.size(), c.field});
          found_[c.field] = true;
          break;
        }
      }
    }
    std::sort(matches_.begin(), matches_.end(),
              [](const Match& a, const Match& b) { return a.start < b.start; });
  }

  // The index of field `f` among the chunk's references.
  size_t Reference(size_t f) {
    if (reference_of_field_[f] < 0) {
      reference_of_field_[f] = static_cast<int>(references_.size());
      references_.push_back(f);
    }
    return static_cast<size_t>(reference_of_field_[f]);
  }

  // Text between references: a word of digits becomes a number slot (and a
  // unit after it, as in "32ms", stays in the template); another word with
  // digits in it (a hex id, "file12") a word slot; the rest is template.
  void AddText(std::string_view text) {
    size_t i = 0;
    while (i < text.size()) {
      if (!IsWordChar(text[i])) {
        template_.push_back(text[i++]);
        continue;
      }
      size_t end = i;
      while (end < text.size() && IsWordChar(text[end])) ++end;
      const std::string_view word = text.substr(i, end - i);
      size_t digits = 0;
      while (digits < word.size() && IsDigit(word[digits])) ++digits;
      const std::string_view rest = word.substr(digits);
      if (digits > 0 && IsCanonicalNumber(word.substr(0, digits)) &&
          std::all_of(rest.begin(), rest.end(), IsLetter)) {
        numbers_[std::min(numbers_in_row_++, kNumberStreams - 1)].push_back(
            ParseDigits(word.substr(0, digits)));
        template_.push_back(kNumberSlot);
        template_.append(rest);
      } else if (std::any_of(word.begin(), word.end(), IsDigit)) {
        words_.push_back(word);
        template_.push_back(kWordSlot);
      } else {
        template_.append(word);
      }
      i = end;
    }
  }

  std::vector<const RowTexts*> fields_;
  const size_t max_templates_;
  std::vector<int> reference_of_field_;       // -1 until the field is referred to
  std::vector<size_t> references_;            // fields referred to, in order of first use
  std::vector<size_t> active_;                // the fields looked for
  std::vector<bool> found_;                   // by field: found in a value
  std::vector<std::array<char, 20>> digits_;  // by field: an integer's text
  size_t values_seen_ = 0;
  std::vector<Match> matches_;
  std::vector<Candidate> candidates_;
  std::string template_;
  size_t numbers_in_row_ = 0;
  absl::flat_hash_map<std::string, uint32_t, StringHash, StringEq> index_;
  std::vector<std::string> templates_;
  std::vector<uint32_t> codes_;
  std::array<std::vector<int64_t>, kNumberStreams> numbers_;
  std::vector<std::string_view> words_;
};

}  // namespace

RowTexts RowTexts::Strings(uint32_t column, size_t rows, std::span<const std::string_view> values,
                           std::span<const uint32_t> codes,
                           std::span<const uint32_t> value_of_row) {
  RowTexts texts;
  texts.column_ = column;
  texts.rows_ = rows;
  texts.count_ = codes.empty() ? values.size() : codes.size();
  texts.strings_ = values;
  texts.codes_ = codes;
  texts.value_of_row_ = value_of_row;
  return texts;
}

RowTexts RowTexts::Integers(uint32_t column, size_t rows, std::span<const int64_t> values,
                            std::span<const uint32_t> value_of_row) {
  RowTexts texts;
  texts.column_ = column;
  texts.rows_ = rows;
  texts.count_ = values.size();
  texts.integers_ = true;
  texts.integers_values_ = values;
  texts.value_of_row_ = value_of_row;
  return texts;
}

std::optional<std::string_view> RowTexts::Text(size_t row, std::array<char, 20>& digits) const {
  const uint32_t v = ValueOf(row);
  if (v == kNoValue) return std::nullopt;
  if (!integers_) return String(v);
  const auto [end, ec] = std::to_chars(digits.data(), digits.data() + digits.size(), Integer(v));
  return std::string_view(digits.data(), static_cast<size_t>(end - digits.data()));
}

bool EncodeTemplatedStrings(const std::vector<std::string_view>& values,
                            const std::vector<uint32_t>& rows,
                            const std::vector<const RowTexts*>& fields, uint32_t version,
                            std::string* out) {
  // A template should serve four values at least, or plain text and zstd
  // do as well (stack traces: every one different).
  if (values.size() < 16) return false;
  TemplateBuilder builder(fields, std::min(kMaxTemplates, values.size() / 4));
  for (size_t k = 0; k < values.size(); ++k) {
    if (!builder.Add(values[k], rows.empty() ? k : rows[k])) return false;
  }
  builder.Write(version, out);
  return true;
}

namespace {

// A template decoded once into the steps that write a value.
struct TemplateStep {
  enum Kind : uint8_t { kText, kNumber, kReference, kWord } kind;
  uint8_t reference;  // kReference: its index
  uint32_t offset;    // kText: where in the template
  uint32_t size;
};

// Splits each template into steps (one list, `first[t]` to `first[t + 1]`
// for template t); false when a reference is out of range.
bool CompileTemplates(const std::vector<std::string_view>& templates, size_t references,
                      std::vector<TemplateStep>* steps, std::vector<uint32_t>* first) {
  for (std::string_view t : templates) {
    first->push_back(static_cast<uint32_t>(steps->size()));
    size_t text_start = 0;
    const auto end_text = [&](size_t at) {
      if (at > text_start) {
        steps->push_back({TemplateStep::kText, 0, static_cast<uint32_t>(text_start),
                          static_cast<uint32_t>(at - text_start)});
      }
    };
    for (size_t i = 0; i < t.size(); ++i) {
      if (t[i] == kNumberSlot || t[i] == kWordSlot) {
        end_text(i);
        steps->push_back(
            {t[i] == kNumberSlot ? TemplateStep::kNumber : TemplateStep::kWord, 0, 0, 0});
        text_start = i + 1;
      } else if (t[i] == kReferenceSlot) {
        end_text(i);
        if (i + 1 >= t.size() || static_cast<uint8_t>(t[i + 1]) >= references) return false;
        steps->push_back({TemplateStep::kReference, static_cast<uint8_t>(t[i + 1]), 0, 0});
        text_start = i + 2;
        ++i;
      }
    }
    end_text(t.size());
  }
  first->push_back(static_cast<uint32_t>(steps->size()));
  return true;
}

// A text buffer written through a pointer, grown by doubling.
class TextWriter {
 public:
  TextWriter(std::string* text, size_t expected) : text_(text) {
    text_->resize(std::max<size_t>(expected, 4096));
  }
  void Append(std::string_view s) {
    std::memcpy(Reserve(s.size()), s.data(), s.size());
    used_ += s.size();
  }
  // A number's decimal digits, two at a time from a table.
  void AppendNumber(uint64_t n) {
    static constexpr auto kPairs = [] {
      std::array<char, 200> pairs{};
      for (size_t i = 0; i < 100; ++i) {
        pairs[2 * i] = static_cast<char>('0' + i / 10);
        pairs[2 * i + 1] = static_cast<char>('0' + i % 10);
      }
      return pairs;
    }();
    char digits[20];
    char* end = digits + sizeof(digits);
    char* p = end;
    while (n >= 100) {
      p -= 2;
      std::memcpy(p, &kPairs[2 * (n % 100)], 2);
      n /= 100;
    }
    if (n >= 10) {
      p -= 2;
      std::memcpy(p, &kPairs[2 * n], 2);
    } else {
      *--p = static_cast<char>('0' + n);
    }
    const auto size = static_cast<size_t>(end - p);
    std::memcpy(Reserve(size), p, size);
    used_ += size;
  }
  size_t used() const { return used_; }
  void Finish() { text_->resize(used_); }

 private:
  char* Reserve(size_t n) {
    if (used_ + n > text_->size()) text_->resize(std::max(text_->size() * 2, used_ + n));
    return text_->data() + used_;
  }

  std::string* text_;
  size_t used_ = 0;
};

}  // namespace

bool ExpandTemplatedStrings(ByteReader* in, size_t count, const std::vector<uint32_t>& rows,
                            ReferenceResolver resolve, uint32_t version, std::string* text,
                            std::vector<std::string_view>* values,
                            const std::vector<uint8_t>* wanted) {
  if (!rows.empty() && rows.size() != count) return false;
  uint64_t reference_count = 0;
  if (!in->Varint(&reference_count) || reference_count > kMaxTemplateReferences) return false;
  std::vector<const RowTexts*> references(reference_count);
  for (const RowTexts*& reference : references) {
    uint64_t column = 0;
    if (!in->Varint(&column) || column > UINT32_MAX) return false;
    auto texts = resolve(static_cast<uint32_t>(column));
    if (!texts.ok()) return false;
    reference = *texts;
  }
  uint64_t template_count = 0;
  if (!in->Varint(&template_count) || template_count == 0 || template_count > kMaxTemplates ||
      template_count > in->remaining()) {
    return false;
  }
  std::vector<std::string_view> templates(template_count);
  for (std::string_view& t : templates) {
    if (!in->StringView(&t)) return false;
  }
  std::vector<TemplateStep> steps;
  std::vector<uint32_t> first;
  if (!CompileTemplates(templates, reference_count, &steps, &first)) return false;
  const size_t code_bytes = template_count > 256 ? 2 : 1;
  std::string_view codes;
  if (!in->Bytes(count * code_bytes, &codes)) return false;
  uint64_t streams = 0;
  if (!in->Varint(&streams) || streams > kNumberStreams) return false;
  std::array<std::vector<int64_t>, kNumberStreams> numbers;
  for (size_t s = 0; s < streams; ++s) {
    uint64_t n = 0;
    std::string_view encoded;
    if (!in->Varint(&n) || n > in->remaining() || !in->StringView(&encoded)) return false;
    auto decoded = DecodeIntegers(encoded, n, version);
    if (!decoded.ok()) return false;
    numbers[s] = *std::move(decoded);
  }
  uint64_t word_count = 0;
  if (!in->Varint(&word_count) || word_count > in->remaining()) return false;
  std::vector<std::string_view> words(word_count);
  for (std::string_view& w : words) {
    if (!in->StringView(&w)) return false;
  }
  if (!in->AtEnd()) return false;

  std::array<size_t, kNumberStreams> next_number{};
  size_t next_word = 0;
  // What a value of each template takes from the streams, so that a value
  // left out (`wanted`) is stepped past at once.
  std::vector<std::array<uint32_t, kNumberStreams>> numbers_of;
  std::vector<uint32_t> words_of;
  if (wanted != nullptr) {
    numbers_of.assign(templates.size(), {});
    words_of.assign(templates.size(), 0);
    for (size_t code = 0; code < templates.size(); ++code) {
      size_t numbers_in_value = 0;
      for (uint32_t i = first[code]; i < first[code + 1]; ++i) {
        if (steps[i].kind == TemplateStep::kNumber) {
          ++numbers_of[code][std::min(numbers_in_value++, kNumberStreams - 1)];
        } else if (steps[i].kind == TemplateStep::kWord) {
          ++words_of[code];
        }
      }
    }
  }
  // Values are about as long as their templates and a few numbers.
  size_t template_bytes = 0;
  for (std::string_view t : templates) template_bytes += t.size();
  TextWriter out(text, count * (template_bytes / templates.size() + 8));
  std::vector<size_t> ends(count);
  const auto* code_bytes_in = reinterpret_cast<const uint8_t*>(codes.data());
  for (size_t k = 0; k < count; ++k) {
    size_t code = code_bytes_in[k * code_bytes];
    if (code_bytes == 2) code |= size_t{code_bytes_in[k * 2 + 1]} << 8;
    if (code >= templates.size()) return false;
    const size_t row = rows.empty() ? k : rows[k];
    size_t numbers_in_row = 0;
    if (wanted != nullptr && (row >= wanted->size() || !(*wanted)[row])) {
      // Left empty: the streams are only stepped past its numbers and words
      // (running past their ends is damage, caught below or by a value read).
      for (size_t st = 0; st < kNumberStreams; ++st) next_number[st] += numbers_of[code][st];
      next_word += words_of[code];
      ends[k] = out.used();
      continue;
    }
    for (uint32_t i = first[code]; i < first[code + 1]; ++i) {
      const TemplateStep& step = steps[i];
      switch (step.kind) {
        case TemplateStep::kText:
          out.Append(templates[code].substr(step.offset, step.size));
          break;
        case TemplateStep::kNumber: {
          const size_t s = std::min(numbers_in_row++, kNumberStreams - 1);
          if (next_number[s] >= numbers[s].size()) return false;
          const int64_t n = numbers[s][next_number[s]++];
          if (n < 0) return false;  // written from digits
          out.AppendNumber(static_cast<uint64_t>(n));
          break;
        }
        case TemplateStep::kReference: {
          const RowTexts& reference = *references[step.reference];
          const uint32_t v = reference.ValueOf(row);
          if (v == RowTexts::kNoValue) return false;
          if (reference.integers()) {
            const int64_t n = reference.Integer(v);
            if (n < 0) out.Append("-");
            out.AppendNumber(n < 0 ? 0 - static_cast<uint64_t>(n) : static_cast<uint64_t>(n));
          } else {
            out.Append(reference.String(v));
          }
          break;
        }
        case TemplateStep::kWord:
          if (next_word >= words.size()) return false;
          out.Append(words[next_word++]);
          break;
      }
    }
    ends[k] = out.used();
  }
  for (size_t s = 0; s < kNumberStreams; ++s) {
    if (next_number[s] != numbers[s].size()) return false;
  }
  if (next_word != words.size()) return false;
  out.Finish();
  values->resize(count);
  size_t start = 0;
  for (size_t k = 0; k < count; ++k) {
    (*values)[k] = std::string_view(text->data() + start, ends[k] - start);
    start = ends[k];
  }
  return true;
}

bool RenumberTemplateReferences(std::string_view in,
                                absl::FunctionRef<std::optional<uint32_t>(uint32_t)> renumber,
                                std::string* out) {
  ByteReader reader(in);
  uint64_t reference_count = 0;
  if (!reader.Varint(&reference_count) || reference_count > kMaxTemplateReferences) return false;
  PutVarint(out, reference_count);
  if (!CopyRenumberedColumns(&reader, reference_count, renumber, out)) return false;
  out->append(in.substr(in.size() - reader.remaining()));
  return true;
}

bool CopyRenumberedColumns(ByteReader* in, uint64_t count,
                           absl::FunctionRef<std::optional<uint32_t>(uint32_t)> renumber,
                           std::string* out) {
  for (uint64_t k = 0; k < count; ++k) {
    uint64_t column = 0;
    if (!in->Varint(&column) || column > UINT32_MAX) return false;
    const std::optional<uint32_t> renumbered = renumber(static_cast<uint32_t>(column));
    if (!renumbered) return false;
    PutVarint(out, *renumbered);
  }
  return true;
}

}  // namespace mayak
