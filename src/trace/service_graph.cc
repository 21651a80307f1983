#include "trace/service_graph.h"

#include <algorithm>
#include <set>
#include <unordered_map>

namespace mayak {
namespace {

const std::string* StringAttribute(const Span& span, std::string_view key) {
  for (const Attribute& a : span.attributes) {
    if (a.key == key) return std::get_if<std::string>(&a.value);
  }
  return nullptr;
}

// The queue a consumer span read from, if it says.
std::string ViaOf(const Span& callee) {
  if (callee.kind != SpanKind::kConsumer) return "";
  const std::string* queue = StringAttribute(callee, field::kMessagingDestinationName);
  return queue != nullptr ? *queue : "";
}

// The peer a client or producer span names: the service it called, the
// database, the broker.
std::string PeerOf(const Span& span) {
  for (std::string_view key : {"peer.service", "db.system", "messaging.system"}) {
    if (const std::string* peer = StringAttribute(span, key); peer != nullptr && !peer->empty()) {
      return *peer;
    }
  }
  return "";
}

int64_t Percentile95(std::vector<int64_t> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  // Nearest rank.
  const size_t rank = (values.size() * 95 + 99) / 100;
  return values[std::max<size_t>(rank, 1) - 1];
}

}  // namespace

void ServiceGraphBuilder::Add(const std::string& from, const std::string& to,
                              const std::string& via, const Span& callee) {
  Stats& stats = edges_[{from, to, via}];
  ++stats.calls;
  if (callee.status == SpanStatus::kError) ++stats.errors;
  stats.durations.push_back(callee.duration_ns);
}

void ServiceGraphBuilder::AddTrace(const std::vector<Span>& spans) {
  std::unordered_map<std::string, const Span*> by_id;
  for (const Span& s : spans) by_id.emplace(s.span_id, &s);
  std::set<const Span*> calls_out;  // spans with a child in another service
  for (const Span& s : spans) {
    auto parent = s.parent_span_id.empty() ? by_id.end() : by_id.find(s.parent_span_id);
    if (parent != by_id.end()) {
      if (parent->second->service != s.service) {
        Add(parent->second->service, s.service, ViaOf(s), s);
        calls_out.insert(parent->second);
      }
      continue;
    }
    for (const SpanLink& link : s.links) {
      auto linked = by_id.find(link.span_id);
      if (link.trace_id != s.trace_id || linked == by_id.end()) continue;
      if (linked->second->service != s.service) {
        Add(linked->second->service, s.service, ViaOf(s), s);
        calls_out.insert(linked->second);
      }
      break;
    }
  }
  for (const Span& s : spans) {
    if (s.kind != SpanKind::kClient && s.kind != SpanKind::kProducer) continue;
    if (calls_out.contains(&s)) continue;
    const std::string peer = PeerOf(s);
    if (!peer.empty() && peer != s.service) Add(s.service, peer, "", s);
  }
}

std::vector<ServiceEdge> ServiceGraphBuilder::Edges() const {
  std::vector<ServiceEdge> out;
  out.reserve(edges_.size());
  for (const auto& [key, stats] : edges_) {
    const auto& [from, to, via] = key;
    out.push_back({from, to, via, stats.calls, stats.errors, Percentile95(stats.durations)});
  }
  return out;
}

std::vector<std::string> ServiceGraphBuilder::Services() const {
  std::set<std::string> names;
  for (const auto& [key, stats] : edges_) {
    names.insert(std::get<0>(key));
    names.insert(std::get<1>(key));
  }
  return {names.begin(), names.end()};
}

}  // namespace mayak
