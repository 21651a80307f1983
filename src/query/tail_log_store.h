// A LogStore in front of another that shows what it acknowledges to the
// live tails: records reach a tail once they are durable, never before,
// and only while a tail is open do appends pay for a copy.
#pragma once

#include <vector>

#include "query/live_tail.h"
#include "storage/forwarding_log_store.h"

namespace mayak {

class TailLogStore : public ForwardingLogStore {
 public:
  // `inner` and `tail` must outlive this store.
  TailLogStore(LogStore* inner, LiveTail* tail) : ForwardingLogStore(inner), tail_(tail) {}

  void Append(std::vector<LogRecord> records, AppendDone done) override;

 private:
  LiveTail* tail_;
};

}  // namespace mayak
