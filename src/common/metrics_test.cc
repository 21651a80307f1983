#include "common/metrics.h"

#include "gtest/gtest.h"

namespace mayak {
namespace {

TEST(MetricsTest, RendersPrometheusTextFormat) {
  MetricsRegistry registry;
  registry.GetCounter("x_total", "Things.", {{"route", "/a"}, {"status", "200"}})->Add(3);
  registry.GetCounter("x_total", "Things.", {{"route", "/a"}, {"status", "200"}})->Add();
  registry.GetGauge("g", "A gauge.")->Set(-2);
  registry.AddCallbackGauge("cb", "Computed.", [] { return 1.5; });
  Histogram* h = registry.GetHistogram("lat_seconds", "Latency.", {{"route", "/a"}}, {0.1, 1});
  h->Observe(0.0625);
  h->Observe(0.5);
  h->Observe(5);
  const std::string text = registry.RenderPrometheus();
  EXPECT_NE(text.find("# HELP x_total Things.\n# TYPE x_total counter\n"
                      "x_total{route=\"/a\",status=\"200\"} 4\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("g -2\n"), std::string::npos);
  EXPECT_NE(text.find("cb 1.5\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_bucket{route=\"/a\",le=\"0.1\"} 1\n"
                      "lat_seconds_bucket{route=\"/a\",le=\"1\"} 2\n"
                      "lat_seconds_bucket{route=\"/a\",le=\"+Inf\"} 3\n"
                      "lat_seconds_sum{route=\"/a\"} 5.5625\n"
                      "lat_seconds_count{route=\"/a\"} 3\n"),
            std::string::npos)
      << text;
}

TEST(MetricsTest, EscapesLabelValues) {
  MetricsRegistry registry;
  registry.GetCounter("c", "C.", {{"path", "a\"b\\c\nd"}})->Add();
  EXPECT_NE(registry.RenderPrometheus().find(R"(c{path="a\"b\\c\nd"} 1)"), std::string::npos);
}

}  // namespace
}  // namespace mayak
