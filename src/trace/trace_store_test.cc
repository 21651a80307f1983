#include "trace/trace_store.h"

#include <future>

#include "common/strings.h"
#include "gtest/gtest.h"
#include "query/filter.h"
#include "storage/embedded_log_store.h"
#include "support/company_trace.h"
#include "support/temp_dir.h"

namespace mayak {
namespace {

using testing::HealthTrace;
using testing::kHealth;
using testing::kMs;
using testing::kOrder;
using testing::kT0;
using testing::OrderTrace;

// A store of spans, and a way to fill it.
class SpanStoreTest : public ::testing::Test {
 protected:
  void OpenStore(size_t row_group_rows) {
    EmbeddedLogStoreOptions options;
    options.dir = temp_.path();
    options.kind = "spans";
    options.row_group_rows = row_group_rows;
    options.retention_interval_ns = 0;
    auto store = EmbeddedLogStore::Open(options, &metrics_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  // Stores the spans, observed at kT0, and flushes them into segments.
  void StoreSpans(const std::vector<Span>& spans) {
    std::vector<LogRecord> rows;
    for (const Span& s : spans) rows.push_back(SpanToRecord(s, kT0));
    std::promise<absl::Status> done;
    store_->Append(std::move(rows), [&done](absl::Status s) { done.set_value(s); });
    ASSERT_TRUE(done.get_future().get().ok());
    ASSERT_TRUE(store_->Flush().ok());
  }

  // The traces a search for the shop's spans finds.
  std::vector<Trace> ShopTraces() const {
    TraceQuery q;
    q.service = "shop";
    auto found = TraceStore(store_.get()).Search(q);
    EXPECT_TRUE(found.ok()) << found.status();
    return found.ok() ? *std::move(found) : std::vector<Trace>();
  }

  testing::TempDir temp_;
  MetricsRegistry metrics_;
  std::unique_ptr<EmbeddedLogStore> store_;
};

class TraceStoreTest : public SpanStoreTest {
 protected:
  void SetUp() override {
    OpenStore(2);  // several row groups, so the Bloom filters have work
    std::vector<Span> spans = OrderTrace();
    for (Span& s : HealthTrace()) spans.push_back(std::move(s));
    StoreSpans(spans);
  }
};

TEST_F(TraceStoreTest, FindsATraceByIdWholeAndInOrder) {
  TraceStore traces(store_.get());
  auto trace = traces.Find("4BF92F3577B34DA6A3CE929D0E0E4736", QueryBudget());
  ASSERT_TRUE(trace.ok()) << trace.status();
  EXPECT_EQ(trace->trace_id, kOrder);
  EXPECT_FALSE(trace->truncated);
  std::vector<Span> want = OrderTrace();
  ASSERT_EQ(trace->spans.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(trace->spans[i].span_id, want[i].span_id) << i;
    EXPECT_EQ(trace->spans[i].parent_span_id, want[i].parent_span_id) << i;
    EXPECT_EQ(trace->spans[i].duration_ns, want[i].duration_ns) << i;
  }
  EXPECT_EQ(trace->spans[2].status, SpanStatus::kError);
  EXPECT_EQ(trace->spans[4].links, want[4].links);
  EXPECT_EQ(trace->spans[4].resource, want[4].resource);

  auto short_id = traces.Find("0000000000000ABC", QueryBudget());
  ASSERT_TRUE(short_id.ok()) << "a 64-bit id is the low half" << short_id.status();
  EXPECT_EQ(short_id->spans.size(), 4u);
  EXPECT_TRUE(absl::IsNotFound(traces.Find("1bf92f3577b34da6a3ce929d0e0e4736", {}).status()));
  auto bad = traces.Find("not-an-id", QueryBudget());
  ASSERT_TRUE(absl::IsInvalidArgument(bad.status()));
  EXPECT_NE(bad.status().message().find("not-an-id"), std::string_view::npos);
}

TEST_F(TraceStoreTest, ATraceIsFoundWithoutReadingTheOtherRowGroups) {
  SearchRequest request;
  auto filter = Filter::Parse(std::string("trace.id:") + kHealth);
  ASSERT_TRUE(filter.ok());
  request.filter = &*filter;
  auto found = store_->Search(request);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->total, 4u);
  EXPECT_GT(found->plan.row_groups_skipped_by_index, 0u) << "Bloom filters on trace.id";
  EXPECT_LT(found->plan.row_groups_read, found->plan.row_groups);
}

TEST_F(TraceStoreTest, ServicesAndOperations) {
  TraceStore traces(store_.get());
  auto services = traces.Services(0, INT64_MAX, QueryBudget());
  ASSERT_TRUE(services.ok()) << services.status();
  EXPECT_EQ(*services, (std::vector<std::string>{"crm", "mes", "shop"}));
  auto ops = traces.Operations("shop", "", QueryBudget());
  ASSERT_TRUE(ops.ok()) << ops.status();
  EXPECT_EQ(*ops, (std::vector<OperationName>{{"GET /health", "server"},
                                              {"POST /api/orders", "server"},
                                              {"POST /crm/orders", "client"}}));
  auto servers = traces.Operations("crm", "SERVER", QueryBudget());
  ASSERT_TRUE(servers.ok());
  EXPECT_EQ(*servers, (std::vector<OperationName>{{"POST /crm/orders", "server"}}));
}

TEST_F(TraceStoreTest, SearchByServiceOperationTagsAndDuration) {
  TraceStore traces(store_.get());
  const auto ids = [&traces](TraceQuery q) {
    auto found = traces.Search(q);
    EXPECT_TRUE(found.ok()) << found.status();
    std::vector<std::string> out;
    for (const Trace& t : *found) out.push_back(t.trace_id);
    return out;
  };
  TraceQuery q;
  q.service = "shop";
  EXPECT_EQ(ids(q), (std::vector<std::string>{kHealth, kOrder})) << "newest first";
  q.limit = 1;
  EXPECT_EQ(ids(q), (std::vector<std::string>{kHealth}));
  q = {};
  q.min_duration_ns = 100 * kMs;
  EXPECT_EQ(ids(q), (std::vector<std::string>{kOrder}));
  q = {};
  q.service = "shop";
  q.max_duration_ns = 2 * kMs;
  EXPECT_EQ(ids(q), (std::vector<std::string>{kHealth}));
  q = {};
  q.operation = "POST /crm";  // names are compared whole, not by words
  EXPECT_TRUE(ids(q).empty());
  q.operation = "POST /crm/orders";
  q.service = "crm";
  EXPECT_EQ(ids(q), (std::vector<std::string>{kOrder}));
  q = {};
  q.tags = {{"error", "true"}};
  EXPECT_EQ(ids(q), (std::vector<std::string>{kOrder}));
  q.tags = {{"order.id", "O-1"}, {"http.response.status_code", "201"}};
  EXPECT_EQ(ids(q), (std::vector<std::string>{kOrder}));
  q.tags = {{"host.name", "plant-1"}};
  EXPECT_EQ(ids(q), (std::vector<std::string>{kOrder})) << "resource attributes too";
  q.tags = {{"order.id", "O-2"}};
  EXPECT_TRUE(ids(q).empty());
  q = {};
  q.from_ns = kT0 + 500 * kMs;
  EXPECT_EQ(ids(q), (std::vector<std::string>{kHealth})) << "spans started in the range";
}

TEST_F(TraceStoreTest, SearchedTracesAreWholeAsFoundById) {
  TraceStore traces(store_.get());
  const std::vector<Trace> found = ShopTraces();
  ASSERT_EQ(found.size(), 2u);
  for (const Trace& t : found) {
    auto alone = traces.Find(t.trace_id, {});
    ASSERT_TRUE(alone.ok()) << alone.status();
    ASSERT_EQ(t.spans.size(), alone->spans.size()) << t.trace_id;
    for (size_t i = 0; i < t.spans.size(); ++i) {
      EXPECT_EQ(t.spans[i].span_id, alone->spans[i].span_id);
      EXPECT_EQ(t.spans[i].start_ns, alone->spans[i].start_ns);
    }
    EXPECT_EQ(t.span_warnings, alone->span_warnings);
    EXPECT_FALSE(t.truncated);
  }
  // Read together, in the order asked, ids without spans left out; an id
  // that is not one is an error.
  auto together = traces.FindAll({kOrder, std::string(31, '0') + "7", kHealth}, {});
  ASSERT_TRUE(together.ok()) << together.status();
  ASSERT_EQ(together->size(), 2u);
  EXPECT_EQ((*together)[0].trace_id, kOrder);
  EXPECT_EQ((*together)[1].trace_id, kHealth);
  EXPECT_EQ((*together)[0].spans.size(), OrderTrace().size());
  EXPECT_EQ((*together)[1].spans.size(), HealthTrace().size());
  EXPECT_TRUE(traces.FindAll({}, {})->empty());
  EXPECT_FALSE(traces.FindAll({kOrder, "nothex"}, {}).ok());
}

TEST_F(SpanStoreTest, AHugeTraceDoesNotCrowdOutTheOthers) {
  // One trace of more spans than a trace is read with, older, and a small
  // one: a search naming both gives the small one whole and the big one cut.
  OpenStore(16384);
  std::vector<Span> spans;
  for (size_t i = 0; i <= kMaxTraceSpans; ++i) {
    spans.push_back(testing::MakeSpan(kOrder, StrCat("1", std::string(11, '0'), 1000 + i),
                                      i == 0 ? "" : "1000000000001000", "shop", "batch item",
                                      SpanKind::kInternal, -100000 + static_cast<int64_t>(i), 1));
  }
  for (Span& s : HealthTrace()) spans.push_back(std::move(s));
  StoreSpans(spans);
  const std::vector<Trace> found = ShopTraces();
  ASSERT_EQ(found.size(), 2u);
  for (const Trace& t : found) {
    if (t.trace_id == kOrder) {
      EXPECT_TRUE(t.truncated);
      EXPECT_EQ(t.spans.size(), kMaxTraceSpans);
    } else {
      EXPECT_FALSE(t.truncated);
      EXPECT_EQ(t.spans.size(), HealthTrace().size());
    }
  }
  // Asked for alone, the big one is cut the same way.
  auto alone = TraceStore(store_.get()).FindAll({kOrder}, {});
  ASSERT_TRUE(alone.ok()) << alone.status();
  ASSERT_EQ(alone->size(), 1u);
  EXPECT_TRUE((*alone)[0].truncated);
  EXPECT_EQ((*alone)[0].spans.size(), kMaxTraceSpans);
}

}  // namespace
}  // namespace mayak
