// Prometheus metrics: counters, gauges and histograms with labels, rendered in
// the text exposition format for GET /metrics. Updating a metric is a relaxed
// atomic operation; looking one up by labels takes a lock, so hot paths look
// theirs up once and keep the pointer (pointers stay valid for the registry's
// life).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace mayak {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// `{a="1",b="2"}` with the values escaped as the text format wants, or ""
// without labels (for metrics rendered apart, e.g. one series an open file).
std::string RenderMetricLabels(const MetricLabels& labels);

class Counter {
 public:
  void Add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void Set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void Add(int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
  int64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

class Histogram {
 public:
  // `upper_bounds` ascending; a +Inf bucket is implied.
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double value);
  // Cumulative counts per bucket, +Inf last.
  std::vector<uint64_t> CumulativeCounts() const;
  const std::vector<double>& upper_bounds() const { return upper_bounds_; }
  double Sum() const;
  uint64_t Count() const { return count_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> upper_bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> bucket_counts_;
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_bits_{0};  // a double, updated by compare-exchange
};

// Bucket bounds in seconds for request and fsync latencies: 100µs .. 10s.
std::vector<double> LatencyBucketsSeconds();

class MetricsRegistry {
 public:
  Counter* GetCounter(std::string_view name, std::string_view help,
                      const MetricLabels& labels = {});
  Gauge* GetGauge(std::string_view name, std::string_view help, const MetricLabels& labels = {});
  Histogram* GetHistogram(std::string_view name, std::string_view help, const MetricLabels& labels,
                          const std::vector<double>& upper_bounds);
  // A gauge computed when scraped (e.g. bytes on disk).
  void AddCallbackGauge(std::string_view name, std::string_view help,
                        std::function<double()> callback);

  // The text exposition format, families sorted by name.
  std::string RenderPrometheus() const;

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Family {
    Type type;
    std::string help;
    std::map<std::string, std::unique_ptr<Counter>> counters;  // by rendered labels
    std::map<std::string, std::unique_ptr<Gauge>> gauges;
    std::map<std::string, std::unique_ptr<Histogram>> histograms;
    std::function<double()> callback;
  };

  Family& FamilyFor(std::string_view name, std::string_view help, Type type)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::map<std::string, Family, std::less<>> families_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mayak
