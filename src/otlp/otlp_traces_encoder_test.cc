#include "otlp/otlp_traces_encoder.h"

#include "gtest/gtest.h"
#include "otlp/otlp_traces.h"
#include "support/company_trace.h"

namespace mayak {
namespace {

TEST(OtlpTracesEncoderTest, DecodesBackToTheSameSpans) {
  std::vector<Span> spans = testing::OrderTrace();
  spans[0].attributes.push_back({"sampled", true});
  spans[0].attributes.push_back({"ratio", 0.25});
  spans[2].events = {{testing::kT0 + 5, "retry", {{"attempt", int64_t{2}}}}};
  auto decoded = DecodeOtlpTracesProtobuf(EncodeOtlpTracesProtobuf(spans));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->rejected, 0u) << decoded->first_error;
  EXPECT_EQ(decoded->spans, spans);
}

}  // namespace
}  // namespace mayak
