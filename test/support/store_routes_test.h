// The base of route tests that need storage: an embedded store in a
// temporary directory, ready behind a ServerState, a router for the routes
// the test adds, and GET requests to it.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>

#include "api/router.h"
#include "api/server_state.h"
#include "common/metrics.h"
#include "gtest/gtest.h"
#include "storage/embedded_log_store.h"
#include "support/route_call.h"
#include "support/temp_dir.h"

namespace mayak::testing {

class StoreRoutesTest : public ::testing::Test {
 protected:
  // Opens the store (in dir_, whatever `options.dir` says); from SetUp.
  void OpenStore(EmbeddedLogStoreOptions options = {}) {
    options.dir = dir_.path();
    auto store = EmbeddedLogStore::Open(options, &metrics_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    state_.store = store_.get();
    state_.phase = ServerPhase::kReady;
  }
  // Closed and gone before any member of a derived test (an Env the store
  // writes through) is destroyed.
  void TearDown() override {
    if (store_ != nullptr) store_->Close();
    state_.store = nullptr;
    store_.reset();
  }

  HttpResponse Get(const std::string& path, std::multimap<std::string, std::string> params) {
    HttpRequest request;
    request.method = "GET";
    request.path = path;
    request.params = std::move(params);
    return CallRoute(router_, std::move(request));
  }

  TempDir dir_;
  MetricsRegistry metrics_;
  ServerState state_;
  Router router_;
  std::unique_ptr<EmbeddedLogStore> store_;
};

}  // namespace mayak::testing
