#include "common/json_writer.h"

#include <limits>

#include "gtest/gtest.h"

namespace mayak {
namespace {

TEST(JsonWriterTest, WritesNestedValuesWithCommas) {
  std::string out;
  JsonWriter json(&out);
  json.BeginObject();
  json.Key("a").Int(-1).Key("b").BeginArray().Uint(1).Bool(true).Null().String("x").EndArray();
  json.Key("c").BeginObject().EndObject().Key("d").Double(0.25).Key("e").Raw("[1]");
  json.EndObject();
  EXPECT_EQ(out, R"({"a":-1,"b":[1,true,null,"x"],"c":{},"d":0.25,"e":[1]})");
}

TEST(JsonWriterTest, EscapesStringsAndRepairsBadUtf8) {
  std::string out;
  AppendJsonString(&out, "q\"b\\n\n\t\x01 é \xff end");
  EXPECT_EQ(out, "\"q\\\"b\\\\n\\n\\t\\u0001 é \xEF\xBF\xBD end\"");
  out.clear();
  AppendJsonString(&out, "\xE2\x82");  // truncated 3-byte sequence
  EXPECT_EQ(out, "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
}

TEST(JsonWriterTest, DoublesAreShortAndFinite) {
  std::string out;
  JsonWriter json(&out);
  json.BeginArray().Double(0.1).Double(1e21).Double(std::numeric_limits<double>::infinity());
  json.Double(123.0).EndArray();
  EXPECT_EQ(out, "[0.1,1e+21,null,123]");
}

}  // namespace
}  // namespace mayak

namespace mayak {
namespace {

TEST(JsonWriterTest, RawMembersJoinTheOpenObject) {
  std::string out;
  JsonWriter json(&out);
  json.BeginObject().Key("a").Int(1).RawMembers(R"("b":2,"c":[3])").RawMembers("");
  json.Key("d").Bool(true).EndObject();
  EXPECT_EQ(out, R"({"a":1,"b":2,"c":[3],"d":true})");
  out.clear();
  JsonWriter first(&out);
  first.BeginObject().RawMembers(R"("b":2)").Key("z").Int(0).EndObject();
  EXPECT_EQ(out, R"({"b":2,"z":0})");
}

}  // namespace
}  // namespace mayak

namespace mayak {
namespace {

// The escaping of every ASCII byte, wherever it falls in the 16- and 8-byte
// blocks the fast paths read; and of UTF-8, valid or not, anywhere.
TEST(JsonWriterTest, EveryAsciiByteAtEveryPositionOfAWord) {
  const auto reference = [](unsigned char c) -> std::string {
    switch (c) {
      case '"':
        return "\\\"";
      case '\\':
        return "\\\\";
      case '\n':
        return "\\n";
      case '\r':
        return "\\r";
      case '\t':
        return "\\t";
      case '\b':
        return "\\b";
      case '\f':
        return "\\f";
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          return buf;
        }
        return std::string(1, static_cast<char>(c));
    }
  };
  for (int c = 0; c < 128; ++c) {
    for (size_t at = 0; at < 40; ++at) {
      std::string text(40, 'x');
      text[at] = static_cast<char>(c);
      std::string out;
      AppendJsonString(&out, text);
      const std::string want = "\"" + std::string(at, 'x') +
                               reference(static_cast<unsigned char>(c)) +
                               std::string(39 - at, 'x') + "\"";
      ASSERT_EQ(out, want) << "byte " << c << " at " << at;
    }
  }
  for (size_t at = 0; at < 38; ++at) {
    const std::string before(at, 'x');
    const std::string after(38 - at, 'x');
    std::string out;
    AppendJsonString(&out, before + "\xC3\xA9" + after);  // é
    ASSERT_EQ(out, "\"" + before + "\xC3\xA9" + after + "\"") << "at " << at;
    out.clear();
    AppendJsonString(&out, before + "\xFF" + after);
    ASSERT_EQ(out, "\"" + before + "\xEF\xBF\xBD" + after + "\"") << "at " << at;
  }
  std::string out;
  AppendJsonString(&out, "Заказ 10442: ошибка \xff ok");
  EXPECT_EQ(out, "\"Заказ 10442: ошибка \xEF\xBF\xBD ok\"");
}

}  // namespace
}  // namespace mayak
