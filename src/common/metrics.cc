#include "common/metrics.h"

#include <bit>
#include <cstdio>

#include "common/strings.h"

namespace mayak {
namespace {

std::string EscapeLabelValue(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out.append("\\n");
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string FormatNumber(double v) { return FormatDouble(v); }

// Adds one more label to an already rendered label set.
std::string WithLabel(const std::string& rendered, std::string_view key, std::string_view value) {
  std::string extra = StrCat(key, "=\"", value, "\"");
  if (rendered.empty()) return StrCat("{", extra, "}");
  return StrCat(rendered.substr(0, rendered.size() - 1), ",", extra, "}");
}

}  // namespace

std::string RenderMetricLabels(const MetricLabels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out.push_back(',');
    StrAppend(&out, labels[i].first, "=\"", EscapeLabelValue(labels[i].second), "\"");
  }
  out.push_back('}');
  return out;
}

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)),
      bucket_counts_(new std::atomic<uint64_t>[upper_bounds_.size() + 1]) {
  for (size_t i = 0; i <= upper_bounds_.size(); ++i) bucket_counts_[i].store(0);
}

void Histogram::Observe(double value) {
  size_t i = 0;
  while (i < upper_bounds_.size() && value > upper_bounds_[i]) ++i;
  bucket_counts_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  uint64_t old_bits = sum_bits_.load(std::memory_order_relaxed);
  while (!sum_bits_.compare_exchange_weak(
      old_bits, std::bit_cast<uint64_t>(std::bit_cast<double>(old_bits) + value),
      std::memory_order_relaxed)) {
  }
}

std::vector<uint64_t> Histogram::CumulativeCounts() const {
  std::vector<uint64_t> out(upper_bounds_.size() + 1);
  uint64_t running = 0;
  for (size_t i = 0; i <= upper_bounds_.size(); ++i) {
    running += bucket_counts_[i].load(std::memory_order_relaxed);
    out[i] = running;
  }
  return out;
}

double Histogram::Sum() const {
  return std::bit_cast<double>(sum_bits_.load(std::memory_order_relaxed));
}

std::vector<double> LatencyBucketsSeconds() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

MetricsRegistry::Family& MetricsRegistry::FamilyFor(std::string_view name, std::string_view help,
                                                    Type type) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    it =
        families_.emplace(std::string(name), Family{type, std::string(help), {}, {}, {}, {}}).first;
  }
  return it->second;
}

Counter* MetricsRegistry::GetCounter(std::string_view name, std::string_view help,
                                     const MetricLabels& labels) {
  absl::MutexLock lock(&mu_);
  auto& slot = FamilyFor(name, help, Type::kCounter).counters[RenderMetricLabels(labels)];
  if (!slot) slot = std::make_unique<Counter>();
  return slot.get();
}

Gauge* MetricsRegistry::GetGauge(std::string_view name, std::string_view help,
                                 const MetricLabels& labels) {
  absl::MutexLock lock(&mu_);
  auto& slot = FamilyFor(name, help, Type::kGauge).gauges[RenderMetricLabels(labels)];
  if (!slot) slot = std::make_unique<Gauge>();
  return slot.get();
}

Histogram* MetricsRegistry::GetHistogram(std::string_view name, std::string_view help,
                                         const MetricLabels& labels,
                                         const std::vector<double>& upper_bounds) {
  absl::MutexLock lock(&mu_);
  auto& slot = FamilyFor(name, help, Type::kHistogram).histograms[RenderMetricLabels(labels)];
  if (!slot) slot = std::make_unique<Histogram>(upper_bounds);
  return slot.get();
}

void MetricsRegistry::AddCallbackGauge(std::string_view name, std::string_view help,
                                       std::function<double()> callback) {
  absl::MutexLock lock(&mu_);
  FamilyFor(name, help, Type::kGauge).callback = std::move(callback);
}

std::string MetricsRegistry::RenderPrometheus() const {
  absl::MutexLock lock(&mu_);
  std::string out;
  for (const auto& [name, family] : families_) {
    const char* type = family.type == Type::kCounter ? "counter"
                       : family.type == Type::kGauge ? "gauge"
                                                     : "histogram";
    StrAppend(&out, "# HELP ", name, " ", family.help, "\n# TYPE ", name, " ", type, "\n");
    for (const auto& [labels, counter] : family.counters) {
      StrAppend(&out, name, labels, " ", counter->Value(), "\n");
    }
    for (const auto& [labels, gauge] : family.gauges) {
      StrAppend(&out, name, labels, " ", gauge->Value(), "\n");
    }
    if (family.callback) StrAppend(&out, name, " ", FormatNumber(family.callback()), "\n");
    for (const auto& [labels, histogram] : family.histograms) {
      const std::vector<uint64_t> counts = histogram->CumulativeCounts();
      const auto& bounds = histogram->upper_bounds();
      for (size_t i = 0; i < counts.size(); ++i) {
        const std::string le = i < bounds.size() ? FormatNumber(bounds[i]) : "+Inf";
        StrAppend(&out, name, "_bucket", WithLabel(labels, "le", le), " ", counts[i], "\n");
      }
      StrAppend(&out, name, "_sum", labels, " ", FormatNumber(histogram->Sum()), "\n");
      StrAppend(&out, name, "_count", labels, " ", histogram->Count(), "\n");
    }
  }
  return out;
}

}  // namespace mayak
