#include "pipeline/redaction.h"

#include <fstream>
#include <sstream>

#include "common/config.h"
#include "common/config_options.h"
#include "common/strings.h"
#include "gtest/gtest.h"
#include "model/span.h"
#include "simdjson.h"

namespace mayak {
namespace {

std::unique_ptr<Redactor> Default() {
  auto redactor = Redactor::Create({});
  EXPECT_TRUE(redactor.ok()) << redactor.status();
  return *std::move(redactor);
}

// The JSON list of the rules in `hits`, as the `redacted` field holds it.
std::string RuleList(const Redactor& redactor, RuleHits hits) {
  std::string out = "[";
  for (size_t bit = 0; bit < redactor.rule_names().size(); ++bit) {
    if (((hits >> bit) & 1) == 0) continue;
    if (out.size() > 1) out += ",";
    out += "\"" + redactor.rule_names()[bit] + "\"";
  }
  return out + "]";
}

AttributeValue FromJson(simdjson::dom::element e) {
  if (e.is_string()) return std::string(std::string_view(e));
  if (e.is_bool()) return bool(e);
  if (e.is_int64()) return int64_t(e);
  return double(e);
}

// test/data/redaction/cases.ndjson: each line a text ("text", "expect") or
// a field ("field", "value", "expect") and the rules that must fire.
TEST(RedactionTest, TheSharedCorpus) {
  std::ifstream file(std::string(MAYAK_SOURCE_DIR) + "/test/data/redaction/cases.ndjson");
  ASSERT_TRUE(file) << "test/data/redaction/cases.ndjson is missing";
  const auto redactor = Default();
  simdjson::dom::parser parser;
  std::string line;
  size_t count = 0;
  while (std::getline(file, line)) {
    if (line.empty()) continue;
    ++count;
    simdjson::dom::element c = parser.parse(line);
    const std::string name{std::string_view(c["name"])};
    std::string want_rules = "[]";
    if (simdjson::dom::array rules; c["rules"].get(rules) == simdjson::SUCCESS) {
      want_rules = simdjson::minify(rules);
    }
    if (std::string_view text; c["text"].get(text) == simdjson::SUCCESS) {
      std::string redacted(text);
      const RuleHits hits = redactor->RedactText(&redacted);
      EXPECT_EQ(redacted, std::string_view(c["expect"])) << name;
      if (c["rules"].error() == simdjson::SUCCESS) {
        EXPECT_EQ(RuleList(*redactor, hits), want_rules) << name;
      }
      // Redacting again changes nothing.
      std::string again = redacted;
      EXPECT_EQ(redactor->RedactText(&again), 0u) << name;
      EXPECT_EQ(again, redacted) << name;
      continue;
    }
    LogRecord record;
    record.attributes.push_back({std::string(std::string_view(c["field"])), FromJson(c["value"])});
    const RuleHits hits = redactor->Redact(&record);
    EXPECT_EQ(record.attributes[0].value, FromJson(c["expect"])) << name;
    EXPECT_EQ(RuleList(*redactor, hits), want_rules) << name;
    const AttributeValue* marked = record.FindAttribute(Redactor::kField);
    if (want_rules == "[]") {
      EXPECT_EQ(marked, nullptr) << name;
    } else {
      ASSERT_NE(marked, nullptr) << name;
      EXPECT_EQ(std::get<std::string>(*marked), want_rules) << name;
    }
  }
  EXPECT_GE(count, 200u);
}

TEST(RedactionTest, RecordsAreMarkedWithTheRulesThatFired) {
  const auto redactor = Default();
  LogRecord record;
  record.message = "login for jane@example.com with password=hunter2";
  record.attributes = {{"payment.card", std::string("4111 1111 1111 1111")},
                       {"order.id", int64_t{10442}}};
  EXPECT_NE(redactor->Redact(&record), 0u);
  EXPECT_EQ(record.message, "login for j***@example.com with password=[REDACTED]");
  EXPECT_EQ(std::get<std::string>(*record.FindAttribute("redacted")),
            R"(["secret_key","card_number","email"])");
  EXPECT_EQ(std::get<int64_t>(*record.FindAttribute("order.id")), 10442);
  // A `redacted` field a sender wrote is not kept, whatever it holds; the
  // service name is redacted like any text.
  LogRecord forged;
  forged.service = "jane@example.com";
  forged.attributes = {{"redacted", std::string("password=hunter2 jane@example.com")}};
  EXPECT_NE(redactor->Redact(&forged), 0u);
  EXPECT_EQ(forged.service, "j***@example.com");
  EXPECT_EQ(std::get<std::string>(*forged.FindAttribute("redacted")), R"(["email"])");
  LogRecord fake_mark;
  fake_mark.attributes = {{"redacted", std::string(R"(["email"])")}};
  EXPECT_EQ(redactor->Redact(&fake_mark), 0u);
  EXPECT_EQ(fake_mark.FindAttribute("redacted"), nullptr);
  // A clean record is left as it is, unmarked.
  LogRecord clean;
  clean.message = "order 10442 shipped";
  EXPECT_EQ(redactor->Redact(&clean), 0u);
  EXPECT_TRUE(clean.attributes.empty());
}

// Trace and span ids are random numbers a tracer drew, and one span id in
// about 37,000 is 16 decimal digits that pass as a card: masked, the
// span would lose its parent, its children and its links.
TEST(RedactionTest, TracerIdsAreNotCardNumbers) {
  const auto redactor = Default();
  constexpr std::string_view kCardLike = "4111111111111111";  // passes Luhn
  Span span;
  span.trace_id = "00000000000000004111111111111111";
  span.span_id = kCardLike;
  span.parent_span_id = "5500000000000004";  // passes Luhn too
  span.name = "GET /cart";
  span.start_ns = 1;
  span.links.push_back({.trace_id = "0af7651916cd43dd8448eb211c80319c",
                        .span_id = std::string(kCardLike),
                        .attributes = {{"note", std::string("paid with 4111 1111 1111 1111")},
                                       {"span.id", std::string(kCardLike)}}});
  span.links.push_back({.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736",
                        .span_id = "5500000000000004",
                        .attributes = {{"login", std::string("password=hunter2")}}});
  span.attributes = {{"payment.card", std::string(kCardLike)}};
  LogRecord record = SpanToRecord(span, 2);
  const RuleHits hits = redactor->Redact(&record);
  EXPECT_EQ(RuleList(*redactor, hits), R"(["secret_key","card_number"])");
  auto stored = SpanFromRecord(record);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->trace_id, span.trace_id);
  EXPECT_EQ(stored->span_id, span.span_id);
  EXPECT_EQ(stored->parent_span_id, span.parent_span_id);
  ASSERT_EQ(stored->links.size(), 2u);
  EXPECT_EQ(stored->links[0].trace_id, span.links[0].trace_id);
  EXPECT_EQ(stored->links[0].span_id, kCardLike);
  EXPECT_EQ(stored->links[1].span_id, "5500000000000004");
  // What is not an id is redacted as ever, beside the ids too.
  ASSERT_EQ(stored->links[0].attributes.size(), 2u);
  EXPECT_EQ(std::get<std::string>(stored->links[0].attributes[0].value),
            "paid with **** **** **** 1111");
  EXPECT_EQ(std::get<std::string>(stored->links[0].attributes[1].value), "************1111")
      << "an attribute of a link is no id, whatever its name";
  EXPECT_EQ(std::get<std::string>(stored->links[1].attributes[0].value), "password=[REDACTED]");
  EXPECT_EQ(std::get<std::string>(*record.FindAttribute("payment.card")), "************1111");

  // Only a well-formed id is spared: a card written into an id field in
  // any other form, or under another key, is masked.
  LogRecord log;
  log.attributes = {{"span.id", std::string("4111 1111 1111 1111")},
                    {"trace.id", std::string("378282246310005")},
                    {"parent.id", std::string("x 4111111111111111")},
                    {"user.id", std::string(kCardLike)}};
  EXPECT_EQ(redactor->Redact(&log), 2u);
  EXPECT_EQ(std::get<std::string>(*log.FindAttribute("span.id")), "**** **** **** 1111");
  EXPECT_EQ(std::get<std::string>(*log.FindAttribute("trace.id")), "***********0005");
  EXPECT_EQ(std::get<std::string>(*log.FindAttribute("parent.id")), "x ************1111");
  EXPECT_EQ(std::get<std::string>(*log.FindAttribute("user.id")), "************1111");
  LogRecord links;
  links.attributes = {{"span.links", std::string(R"([{"span.id":"4111111111111111)")}};
  EXPECT_EQ(redactor->Redact(&links), 2u) << "an id without its closing quote is text";
}

TEST(RedactionTest, ExtraRulesAndSwitches) {
  RedactionOptions options;
  options.emails = false;
  options.rules = {{"iban", "[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}", "[IBAN]"},
                   {"phone", R"(\+7 ?(\d{3}) ?\d{3}-?\d{2}-?\d{2})", R"(+7 \1 ***-**-**)"}};
  auto redactor = Redactor::Create(options);
  ASSERT_TRUE(redactor.ok()) << redactor.status();
  std::string text = "pay DE89370400440532013000 call +7 912 345-67-89 mail a@b.co";
  const RuleHits hits = (*redactor)->RedactText(&text);
  EXPECT_EQ(text, "pay [IBAN] call +7 912 ***-**-** mail a@b.co");
  EXPECT_EQ(RuleList(**redactor, hits), R"(["iban","phone"])");

  auto bad = Redactor::Create({.rules = {{"broken", "(unclosed", "x"}}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'broken'"), absl::string_view::npos) << bad.status();
  auto bad_rewrite = Redactor::Create({.rules = {{"groups", "a(b)", R"(\2)"}}});
  EXPECT_FALSE(bad_rewrite.ok());
}

// Texts are first scanned 16 bytes at a time for what the rules look for:
// a card, a secret or an address is found wherever it lies in a block.
TEST(RedactionTest, FindsWhatItLooksForAtEveryOffset) {
  const auto redactor = Default();
  // A text, and what redaction makes of it.
  const std::pair<std::string_view, std::string_view> kFound[] = {
      {"4111 1111 1111 1111", "**** **** **** 1111"},
      {"4111111111111111", "************1111"},
      {"token=abc", "token=[REDACTED]"},
      {"jane@example.com", "j***@example.com"},
  };
  for (size_t before = 0; before <= 40; ++before) {
    for (size_t after : {0, 1, 15, 16, 17}) {
      const std::string pad_before(before, ' ');
      const std::string pad_after(after, ' ');
      for (const auto& [text, redacted] : kFound) {
        std::string padded = StrCat(pad_before, text, pad_after);
        redactor->RedactText(&padded);
        EXPECT_EQ(padded, StrCat(pad_before, redacted, pad_after)) << before << "/" << after;
      }
    }
  }
  // Letters and digits only, with a letter: the digits are glued to a word
  // (hexadecimal ids hold many), never a card. Non-ASCII bytes are no letters.
  for (const std::string text : {"4bf92f3577b34da6a3ce929d0e0e4736", "x4111111111111111",
                                 "4111111111111111x", "ab4111111111111111cd"}) {
    std::string copy = text;
    EXPECT_EQ(redactor->RedactText(&copy), 0u) << text;
    EXPECT_EQ(copy, text);
  }
  std::string accented = "\xc3\xa9 4111111111111111";
  redactor->RedactText(&accented);
  EXPECT_EQ(accented, "\xc3\xa9 ************1111");
  // Numbers: a card of 13 digits and more is masked, shorter ones are left.
  LogRecord record;
  record.attributes = {{"card", int64_t{4111111111111111}},
                       {"short", int64_t{999999999999}},
                       {"thirteen", int64_t{4222222222222}}};
  redactor->Redact(&record);
  EXPECT_EQ(std::get<std::string>(record.attributes[0].value), "************1111");
  EXPECT_EQ(std::get<int64_t>(record.attributes[1].value), 999999999999);
  EXPECT_EQ(std::get<std::string>(record.attributes[2].value), "*********2222");
}

TEST(RedactionTest, LongKeysAreCheckedToo) {
  const auto redactor = Default();
  LogRecord record;
  const std::string long_key = std::string(80, 'x') + "_database_password";
  record.attributes = {{long_key, std::string("pw")}, {std::string(90, 'y'), std::string("v")}};
  EXPECT_NE(redactor->Redact(&record), 0u);
  EXPECT_EQ(std::get<std::string>(record.attributes[0].value), "[REDACTED]");
  EXPECT_EQ(std::get<std::string>(record.attributes[1].value), "v");
}

// Suffixes are tested only for keys ending in a suffix's last letter; an
// empty suffix (every key ends in it) still makes every key a secret.
TEST(RedactionTest, KeysAreSecretByTheirSuffixes) {
  RedactionOptions options;
  options.secret_keys = {};
  options.secret_key_suffixes = {"_pin", ""};
  auto redactor = Redactor::Create(options);
  ASSERT_TRUE(redactor.ok()) << redactor.status();
  LogRecord record;
  record.attributes = {{"card.PIN", std::string("1234")}, {"user.name", std::string("jane")}};
  (*redactor)->Redact(&record);
  EXPECT_EQ(std::get<std::string>(record.attributes[0].value), "[REDACTED]");
  EXPECT_EQ(std::get<std::string>(record.attributes[1].value), "[REDACTED]");
  options.secret_key_suffixes = {"_pin"};
  auto pins = Redactor::Create(options);
  ASSERT_TRUE(pins.ok()) << pins.status();
  LogRecord other;
  other.attributes = {{"card.user_pin", std::string("1234")},
                      {"spin", std::string("x")},
                      {"user.name", std::string("jane")}};
  (*pins)->Redact(&other);
  EXPECT_EQ(std::get<std::string>(other.attributes[0].value), "[REDACTED]");
  EXPECT_EQ(std::get<std::string>(other.attributes[1].value), "[REDACTED]");
  EXPECT_EQ(std::get<std::string>(other.attributes[2].value), "jane");
}

TEST(RedactionTest, DefaultsAgreeWithTheConfiguration) {
  EXPECT_EQ(Config().GetList(options::kRedactionSecretKeys), RedactionOptions().secret_keys);
  EXPECT_TRUE(LuhnValid("4111111111111111"));
  EXPECT_FALSE(LuhnValid("4111111111111112"));
  EXPECT_FALSE(LuhnValid(""));
}

}  // namespace
}  // namespace mayak
