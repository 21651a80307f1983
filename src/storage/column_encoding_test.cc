#include "storage/column_encoding.h"

#include <cstdio>
#include <limits>
#include <random>

#include "gtest/gtest.h"

namespace mayak {
namespace {

TEST(ColumnEncodingTest, TimestampsRoundTripAndSteadyStreamsAreSmall) {
  std::vector<int64_t> steady;
  for (int64_t i = 0; i < 10000; ++i) steady.push_back(1'795'478'400'000'000'000 + i * 1'000'000);
  std::string encoded;
  EncodeTimestamps(steady, &encoded);
  EXPECT_LT(encoded.size(), steady.size() + 32) << "about a byte a value";
  EXPECT_EQ(*DecodeTimestamps(encoded, steady.size()), steady);

  const std::vector<int64_t> extremes = {std::numeric_limits<int64_t>::min(), 0,
                                         std::numeric_limits<int64_t>::max(), -1, 5};
  encoded.clear();
  EncodeTimestamps(extremes, &encoded);
  EXPECT_EQ(*DecodeTimestamps(encoded, extremes.size()), extremes);
}

TEST(ColumnEncodingTest, TimestampsThatAreNoSteadyStreamAreDeltasFromVersion6) {
  // Spans by trace: a server span, then its database span a few
  // milliseconds later, then the next trace's about 37 ms after the first.
  std::mt19937_64 random(5);
  std::vector<int64_t> spans;
  int64_t trace = 1'795'478'400'000'000'000;
  for (int i = 0; i < 5000; ++i) {
    trace += static_cast<int64_t>(random() % 74'000) * 1000;
    spans.push_back(trace);
    spans.push_back(trace + static_cast<int64_t>(random() % 5'000) * 1000);
  }
  std::string v6;
  EncodeTimestamps(spans, &v6, 6);
  std::string v5;
  EncodeTimestamps(spans, &v5, 5);
  EXPECT_EQ(v6[0], 4) << "scaled deltas";
  EXPECT_LT(v6.size() * 10, v5.size() * 9);
  EXPECT_EQ(*DecodeTimestamps(v6, spans.size(), 6), spans);
  EXPECT_EQ(*DecodeTimestamps(v5, spans.size(), 5), spans);
  EXPECT_FALSE(DecodeTimestamps(v6, spans.size(), 5).ok()) << "version 5 has no deltas";
  // A steady stream keeps its deltas of deltas.
  std::vector<int64_t> steady;
  for (int64_t i = 0; i < 1000; ++i) steady.push_back(1'795'478'400'000'000'000 + i * 1'000'017);
  std::string encoded;
  EncodeTimestamps(steady, &encoded, 6);
  EXPECT_EQ(encoded[0], 1) << "scaled deltas of deltas";
  EXPECT_EQ(*DecodeTimestamps(encoded, steady.size(), 6), steady);
  // Unscaled deltas, around the extremes.
  const std::vector<int64_t> extremes = {
      5, std::numeric_limits<int64_t>::max(), 7, std::numeric_limits<int64_t>::min(), 3, 9, 1};
  encoded.clear();
  EncodeTimestamps(extremes, &encoded, 6);
  EXPECT_EQ(*DecodeTimestamps(encoded, extremes.size(), 6), extremes);
}

TEST(ColumnEncodingTest, IntegersRoundTrip) {
  std::mt19937_64 random(7);
  std::vector<int64_t> values;
  for (int i = 0; i < 1000; ++i) values.push_back(static_cast<int64_t>(random()));
  values.push_back(std::numeric_limits<int64_t>::min());
  values.push_back(std::numeric_limits<int64_t>::max());
  std::string encoded;
  EncodeIntegers(values, &encoded);
  EXPECT_EQ(*DecodeIntegers(encoded, values.size()), values);

  const std::vector<int64_t> statuses(1000, 200);
  encoded.clear();
  EncodeIntegers(statuses, &encoded);
  EXPECT_LT(encoded.size(), 1010u);
  EXPECT_EQ(*DecodeIntegers(encoded, statuses.size()), statuses);
}

// Small offsets are decoded eight at a time; runs of them broken by longer
// varints at every position, and counts that are not multiples of eight,
// must decode the same, scaled or not.
TEST(ColumnEncodingTest, MixedRunsOfSmallAndLargeIntegersRoundTrip) {
  std::mt19937_64 random(11);
  for (int round = 0; round < 200; ++round) {
    const int64_t step = round % 2 == 0 ? 1 : 1'000'000;
    std::vector<int64_t> values(random() % 70);
    for (int64_t& v : values) {
      const int64_t offset = random() % 5 == 0 ? static_cast<int64_t>(random() % 100'000)
                                               : static_cast<int64_t>(random() % 128);
      v = 200 * step + offset * step;
    }
    for (uint32_t version = 1; version <= kLatestNumbersVersion; ++version) {
      std::string encoded;
      EncodeIntegers(values, &encoded, version);
      auto decoded = DecodeIntegers(encoded, values.size(), version);
      ASSERT_TRUE(decoded.ok()) << decoded.status();
      ASSERT_EQ(*decoded, values) << "round " << round << " version " << version;
    }
  }
}

TEST(ColumnEncodingTest, FewDistinctIntegersTakeAByteEachFromVersion4) {
  std::mt19937_64 random(5);
  const int64_t statuses[] = {200, 201, 404, 500, -7, INT64_MIN, INT64_MAX};
  std::vector<int64_t> values(5000);
  for (int64_t& v : values) v = statuses[random() % 7];
  std::string v4;
  EncodeIntegers(values, &v4, kIntegerDictionaryVersion);
  EXPECT_LT(v4.size(), values.size() + 40);
  EXPECT_EQ(*DecodeIntegers(v4, values.size(), kIntegerDictionaryVersion), values);

  // 256 distinct values still fit a byte each; 257 do not.
  std::vector<int64_t> wide(1000);
  for (size_t i = 0; i < wide.size(); ++i) wide[i] = static_cast<int64_t>(i % 256) * 1'000'003;
  std::string encoded;
  EncodeIntegers(wide, &encoded, kIntegerDictionaryVersion);
  EXPECT_EQ(static_cast<uint8_t>(encoded[0]), 2);  // the dictionary
  EXPECT_EQ(*DecodeIntegers(encoded, wide.size(), kIntegerDictionaryVersion), wide);
  wide[0] = 7;
  encoded.clear();
  EncodeIntegers(wide, &encoded, kIntegerDictionaryVersion);
  EXPECT_NE(static_cast<uint8_t>(encoded[0]), 2);
  EXPECT_EQ(*DecodeIntegers(encoded, wide.size(), kIntegerDictionaryVersion), wide);

  // A code past the dictionary is damage, not a read past it.
  std::string damaged = v4;
  damaged.back() = static_cast<char>(200);
  EXPECT_FALSE(DecodeIntegers(damaged, values.size(), kIntegerDictionaryVersion).ok());
  EXPECT_FALSE(DecodeIntegerCodes(damaged, values.size()).ok());
}

TEST(ColumnEncodingTest, IntegerDictionariesDecodeToCodesForFilters) {
  std::mt19937_64 random(9);
  const int64_t statuses[] = {500, 200, 404, -3};
  std::vector<int64_t> values(3000);
  for (int64_t& v : values) v = statuses[random() % 4];
  std::string encoded;
  EncodeIntegers(values, &encoded, kIntegerDictionaryVersion);
  ASSERT_TRUE(IsIntegerDictionary(encoded, kIntegerDictionaryVersion));
  EXPECT_FALSE(IsIntegerDictionary(encoded, kIntegerDictionaryVersion - 1)) << "older formats";
  auto codes = DecodeIntegerCodes(encoded, values.size());
  ASSERT_TRUE(codes.ok()) << codes.status();
  EXPECT_EQ(codes->dictionary, (std::vector<int64_t>{-3, 200, 404, 500}));
  ASSERT_EQ(codes->codes.size(), values.size());
  for (size_t k = 0; k < values.size(); ++k) {
    EXPECT_EQ(codes->dictionary[static_cast<uint8_t>(codes->codes[k])], values[k]) << k;
  }
  // Other encodings are not dictionaries; short or long chunks are damage.
  std::vector<int64_t> many(1000);
  for (size_t i = 0; i < many.size(); ++i) many[i] = static_cast<int64_t>(i);
  std::string offsets;
  EncodeIntegers(many, &offsets, kIntegerDictionaryVersion);
  EXPECT_FALSE(IsIntegerDictionary(offsets, kIntegerDictionaryVersion));
  EXPECT_FALSE(DecodeIntegerCodes(offsets, many.size()).ok());
  EXPECT_FALSE(DecodeIntegerCodes(encoded, values.size() + 1).ok());
  EXPECT_FALSE(DecodeIntegerCodes(encoded, values.size() - 1).ok());
  EXPECT_FALSE(DecodeIntegerCodes("", 0).ok());
}

TEST(ColumnEncodingTest, NumbersWithACommonStepAreDividedByIt) {
  // Microsecond timestamps held in nanoseconds, about 500 µs apart.
  std::mt19937_64 random(11);
  std::vector<int64_t> micros;
  int64_t t = 1'795'478'400'000'000'000;
  for (int i = 0; i < 10000; ++i)
    micros.push_back(t += static_cast<int64_t>(random() % 1000) * 1000);
  std::string scaled;
  EncodeTimestamps(micros, &scaled);
  std::string unscaled;
  EncodeTimestamps(micros, &unscaled, 2);
  EXPECT_LT(scaled.size() * 3, unscaled.size() * 2) << "the 1000 step costs no bits";
  EXPECT_EQ(*DecodeTimestamps(scaled, micros.size()), micros);
  EXPECT_EQ(*DecodeTimestamps(unscaled, micros.size(), 2), micros) << "version 2 still reads";
  EXPECT_FALSE(DecodeTimestamps(unscaled, micros.size()).ok() &&
               *DecodeTimestamps(unscaled, micros.size()) == micros)
      << "the versions differ";

  // Durations in whole milliseconds, some negative, around the extremes.
  std::vector<int64_t> millis;
  for (int i = 0; i < 1000; ++i)
    millis.push_back((static_cast<int64_t>(random() % 5000) - 100) * 1'000'000);
  std::string encoded;
  EncodeIntegers(millis, &encoded);
  std::string plain;
  EncodeIntegers(millis, &plain, 2);
  EXPECT_LT(encoded.size() * 2, plain.size());
  EXPECT_EQ(*DecodeIntegers(encoded, millis.size()), millis);
  EXPECT_EQ(*DecodeIntegers(plain, millis.size(), 2), millis);
  for (const std::vector<int64_t>& edge : std::vector<std::vector<int64_t>>{
           {std::numeric_limits<int64_t>::min(), 0},
           {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()},
           {-4, 4, 8},
           {7, 7, 7},
           {}}) {
    encoded.clear();
    EncodeIntegers(edge, &encoded);
    EXPECT_EQ(*DecodeIntegers(encoded, edge.size()), edge);
    encoded.clear();
    EncodeTimestamps(edge, &encoded);
    EXPECT_EQ(*DecodeTimestamps(encoded, edge.size()), edge);
  }
  EXPECT_FALSE(DecodeIntegers(std::string("\x05\x00\x00", 3), 1).ok()) << "unknown encoding";
  EXPECT_FALSE(DecodeIntegers(std::string("\x01\x00\x01\x00\x00", 5), 1).ok()) << "step 1";
}

TEST(ColumnEncodingTest, StringsPickDictionaryOrPlain) {
  std::vector<std::string_view> methods;
  for (int i = 0; i < 1000; ++i) methods.push_back(i % 3 == 0 ? "POST" : "GET");
  std::string encoded;
  EncodeStrings(methods, &encoded);
  EXPECT_EQ(encoded[0], static_cast<char>(StringEncoding::kDictionary));
  EXPECT_LT(encoded.size(), 1020u);
  auto decoded = DecodeStrings(encoded, methods.size());
  ASSERT_TRUE(decoded.ok());
  for (size_t i = 0; i < methods.size(); ++i) EXPECT_EQ((*decoded)[i], methods[i]);

  std::vector<std::string> ids;
  for (int i = 0; i < 500; ++i) ids.push_back("trace-" + std::to_string(i * 7919));
  std::vector<std::string_view> views(ids.begin(), ids.end());
  views.push_back("");
  encoded.clear();
  EncodeStrings(views, &encoded);
  EXPECT_EQ(encoded[0], static_cast<char>(StringEncoding::kPlain));
  decoded = DecodeStrings(encoded, views.size());
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->back(), "");
  EXPECT_EQ((*decoded)[3], ids[3]);
}

TEST(ColumnEncodingTest, HexadecimalIdsAreStoredAsBytesFromVersion4) {
  std::mt19937_64 random(3);
  std::vector<std::string> ids;
  for (int i = 0; i < 5000; ++i) {
    char id[33];
    std::snprintf(id, sizeof(id), "%016llx%016llx", static_cast<unsigned long long>(random()),
                  static_cast<unsigned long long>(random()));
    ids.emplace_back(id);
  }
  const std::vector<std::string_view> views(ids.begin(), ids.end());
  std::string v4;
  EncodeStrings(views, &v4, kMaxDictionary, nullptr, kHexStringsVersion);
  EXPECT_EQ(static_cast<uint8_t>(v4[0]), static_cast<uint8_t>(StringEncoding::kHex));
  EXPECT_LT(v4.size(), ids.size() * 16 + 8);
  EXPECT_EQ(*DecodeStrings(v4, ids.size()), ids);
  std::string expanded;
  auto decoded = DecodeStringViews(v4, ids.size(), &expanded);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->Get(4999), ids[4999]);
  // Views need somewhere to point: without a buffer the chunk is refused.
  EXPECT_FALSE(DecodeStringViews(v4, ids.size()).ok());
  // Truncated: refused, never read past.
  EXPECT_FALSE(DecodeStrings(std::string_view(v4).substr(0, v4.size() - 1), ids.size()).ok());

  std::string v3;
  EncodeStrings(views, &v3, kMaxDictionary, nullptr, kHexStringsVersion - 1);
  EXPECT_EQ(static_cast<uint8_t>(v3[0]), static_cast<uint8_t>(StringEncoding::kPlain));

  // Upper case, odd or mixed lengths, other letters: kept as text.
  for (std::vector<std::string_view> other : {std::vector<std::string_view>{"ABCD", "abcd"},
                                              {"abc", "def"},
                                              {"ab", "abcd"},
                                              {"abcg", "abcd"},
                                              {""}}) {
    std::string encoded;
    EncodeStrings(other, &encoded, 0, nullptr, kHexStringsVersion);
    EXPECT_NE(static_cast<uint8_t>(encoded[0]), static_cast<uint8_t>(StringEncoding::kHex));
    std::vector<std::string> expected(other.begin(), other.end());
    EXPECT_EQ(*DecodeStrings(encoded, other.size()), expected);
  }
}

TEST(ColumnEncodingTest, EncodingsAreNamedAsTheChunksSay) {
  const auto string_encoding = [](std::vector<std::string_view> values) {
    std::string out;
    EncodeStrings(values, &out, kMaxDictionary, nullptr);
    return std::string(StringEncodingName(out));
  };
  EXPECT_EQ(string_encoding({"4bf92f3577b34da6", "00f067aa0ba902b7"}), "hex");
  EXPECT_EQ(string_encoding({"GET", "GET", "GET", "POST"}), "dictionary");
  EXPECT_EQ(string_encoding({"10.0.0.1", "10.3.76.230"}), "ipv4");
  EXPECT_EQ(string_encoding({"u175413", "u84761"}), "prefixed-number");
  EXPECT_EQ(string_encoding({"a long message", "another"}), "plain");
  EXPECT_EQ(StringEncodingName(std::string(1, '\x07')), "unknown");
  EXPECT_EQ(StringEncodingName(""), "unknown");

  const auto number_encoding = [](const std::vector<int64_t>& values, bool timestamps,
                                  uint32_t version = kLatestNumbersVersion) {
    std::string out;
    timestamps ? EncodeTimestamps(values, &out, version) : EncodeIntegers(values, &out, version);
    return std::string(NumberEncodingName(out, timestamps, version));
  };
  std::vector<int64_t> steady;
  for (int64_t i = 0; i < 1000; ++i) steady.push_back(1'000'000 * i + (i % 3));
  EXPECT_EQ(number_encoding(steady, true), "delta-of-delta");
  std::vector<int64_t> micros;
  // Up 61 µs and back 59: deltas take a byte, deltas of deltas two.
  for (int64_t i = 0; i < 1000; ++i) micros.push_back(1000 * (1'000'000 + i + (i % 2) * 60));
  EXPECT_EQ(number_encoding(micros, true), "scaled deltas");
  std::vector<int64_t> many;
  for (int64_t i = 0; i < 1000; ++i) many.push_back(i * 7 + (i % 3));
  EXPECT_EQ(number_encoding(many, false), "offsets");
  EXPECT_EQ(number_encoding({200, 200, 500}, false), "dictionary");
  EXPECT_EQ(number_encoding(many, false, kTaggedNumbersVersion - 1), "offsets");
  EXPECT_EQ(NumberEncodingName(std::string(1, '\x09'), false, kLatestNumbersVersion), "unknown");
}

TEST(ColumnEncodingTest, IdsWithAFewOtherValuesAreStillIds) {
  std::mt19937_64 random(5);
  std::vector<std::string> ids;
  for (int i = 0; i < 400; ++i) {
    char id[17];
    std::snprintf(id, sizeof(id), "%016llx", static_cast<unsigned long long>(random()));
    ids.emplace_back(id);
  }
  std::vector<std::string_view> views(ids.begin(), ids.end());
  EXPECT_TRUE(MostlyHexIds(views));
  // A "-", an upper-case id and a 128-bit one among 64-bit ids, even first.
  views[0] = "-";
  views[1] = "4BF92F3577B34DA6";
  views[2] = "4bf92f3577b34da6a3ce929d0e0e4736";
  EXPECT_TRUE(MostlyHexIds(views));
  EXPECT_EQ(HexLength(views), 0u);
  // Three in four of the first 256 must be ids of one length.
  for (size_t i = 0; i < 64; ++i) views[i] = "none";
  EXPECT_TRUE(MostlyHexIds(views));
  views[64] = "none";
  EXPECT_FALSE(MostlyHexIds(views));
  // Short hex words, words, and nothing are not ids.
  EXPECT_FALSE(MostlyHexIds({"cafe", "beef", "dead"}));
  EXPECT_FALSE(MostlyHexIds({"GET /api/orders/83057 200 32ms"}));
  EXPECT_FALSE(MostlyHexIds({"4bf92f3577b34da"}));  // odd length
  EXPECT_FALSE(MostlyHexIds({}));
}

TEST(ColumnEncodingTest, Ipv4AddressesAreStoredAsFourBytesFromVersion4) {
  const std::vector<std::string_view> addresses = {"10.3.76.230", "0.0.0.0", "255.255.255.255",
                                                   "192.168.1.10", "10.0.0.7"};
  std::string v4;
  EncodeStrings(addresses, &v4, 0, nullptr, kHexStringsVersion);
  EXPECT_EQ(static_cast<uint8_t>(v4[0]), static_cast<uint8_t>(StringEncoding::kIpv4));
  EXPECT_EQ(v4.size(), 1 + 4 * addresses.size());
  const std::vector<std::string> expected(addresses.begin(), addresses.end());
  EXPECT_EQ(*DecodeStrings(v4, addresses.size()), expected);
  EXPECT_FALSE(DecodeStrings(std::string_view(v4).substr(0, v4.size() - 1), addresses.size()).ok());

  // Spellings four bytes would not give back stay text.
  for (std::string_view odd : {"010.1.2.3", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4 ",
                               "a.b.c.d", "1..2.3", "::1", "1.2.3.04"}) {
    const std::vector<std::string_view> values = {"10.0.0.1", odd};
    std::string encoded;
    EncodeStrings(values, &encoded, 0, nullptr, kHexStringsVersion);
    EXPECT_EQ(static_cast<uint8_t>(encoded[0]), static_cast<uint8_t>(StringEncoding::kPlain))
        << odd;
    EXPECT_EQ(*DecodeStrings(encoded, values.size()),
              (std::vector<std::string>{"10.0.0.1", std::string(odd)}));
  }
}

TEST(ColumnEncodingTest, PrefixedNumbersAreStoredAsNumbersFromVersion4) {
  std::mt19937_64 random(9);
  std::vector<std::string> ids;
  for (int i = 0; i < 3000; ++i) ids.push_back("u" + std::to_string(random() % 200000));
  ids.push_back("u0");
  const std::vector<std::string_view> views(ids.begin(), ids.end());
  std::string v4;
  EncodeStrings(views, &v4, 0, nullptr, kHexStringsVersion);
  EXPECT_EQ(static_cast<uint8_t>(v4[0]), static_cast<uint8_t>(StringEncoding::kPrefixedNumber));
  EXPECT_LT(v4.size(), ids.size() * 4);
  EXPECT_EQ(*DecodeStrings(v4, ids.size()), ids);
  EXPECT_FALSE(DecodeStrings(std::string_view(v4).substr(0, v4.size() - 1), ids.size()).ok());

  // Numbers that would not print back the same, or another prefix: text.
  for (std::string_view odd : {"u007", "v12", "u", "u12a", "u1234567890123456789", "U12"}) {
    const std::vector<std::string_view> values = {"u12", odd};
    std::string encoded;
    EncodeStrings(values, &encoded, 0, nullptr, kHexStringsVersion);
    EXPECT_NE(static_cast<uint8_t>(encoded[0]),
              static_cast<uint8_t>(StringEncoding::kPrefixedNumber))
        << odd;
    EXPECT_EQ(*DecodeStrings(encoded, values.size()),
              (std::vector<std::string>{"u12", std::string(odd)}));
  }
  // No prefix at all (numbers as text) and a prefix ending in a dash.
  for (std::vector<std::string_view> values :
       {std::vector<std::string_view>{"17", "4096"}, {"ORD-10442", "ORD-7"}}) {
    std::string encoded;
    EncodeStrings(values, &encoded, 0, nullptr, kHexStringsVersion);
    EXPECT_EQ(static_cast<uint8_t>(encoded[0]),
              static_cast<uint8_t>(StringEncoding::kPrefixedNumber));
    EXPECT_EQ(*DecodeStrings(encoded, values.size()),
              std::vector<std::string>(values.begin(), values.end()));
  }
}

TEST(ColumnEncodingTest, DamagedInputIsAnErrorNeverAnOverRead) {
  std::vector<std::string_view> values = {"a", "bb", "a", "ccc", "a", "a", "a", "bb"};
  std::string strings;
  EncodeStrings(values, &strings);
  std::string timestamps;
  EncodeTimestamps({1, 2, 3, 4, 1000000}, &timestamps);
  std::string integers;
  EncodeIntegers({5, -5, 1 << 30}, &integers);
  for (size_t n = 0; n < strings.size(); ++n) {
    EXPECT_FALSE(DecodeStrings(strings.substr(0, n), values.size()).ok()) << n;
  }
  for (size_t n = 0; n < timestamps.size(); ++n) {
    EXPECT_FALSE(DecodeTimestamps(timestamps.substr(0, n), 5).ok()) << n;
  }
  for (size_t n = 0; n < integers.size(); ++n) {
    EXPECT_FALSE(DecodeIntegers(integers.substr(0, n), 3).ok()) << n;
  }
  EXPECT_FALSE(DecodeStrings(strings, values.size() + 1).ok());
  EXPECT_FALSE(DecodeStrings("\x07"
                             "abc",
                             1)
                   .ok())
      << "unknown encoding";
  EXPECT_FALSE(DecodeStrings(std::string("\x01\x01\x01x\x05", 5), 1).ok()) << "index out of range";
}

}  // namespace
}  // namespace mayak
