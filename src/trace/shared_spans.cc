#include "trace/shared_spans.h"

#include <cstdint>
#include <cstdio>
#include <map>
#include <set>
#include <string>

namespace mayak {
namespace {

uint64_t IdValue(const std::string& hex) { return std::stoull(hex, nullptr, 16); }

std::string IdText(uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(value));
  return text;
}

}  // namespace

size_t SeparateSharedSpans(std::vector<Span>* spans) {
  std::set<std::string> ids;
  std::map<std::string, bool> has_client;  // by id
  for (const Span& s : *spans) {
    ids.insert(s.span_id);
    if (s.kind == SpanKind::kClient) has_client[s.span_id] = true;
  }
  size_t rewritten = 0;
  for (Span& s : *spans) {
    if (s.kind != SpanKind::kServer || !has_client.contains(s.span_id)) continue;
    if (!IsSpanIdentifier(s.span_id, 16)) continue;
    uint64_t candidate = IdValue(s.span_id);
    std::string id;
    do {
      id = IdText(++candidate);
    } while (candidate == 0 || ids.contains(id));
    ids.insert(id);
    s.parent_span_id = s.span_id;
    s.span_id = id;
    ++rewritten;
  }
  return rewritten;
}

}  // namespace mayak
