#include "query/tail_log_store.h"

#include <memory>
#include <utility>

namespace mayak {

void TailLogStore::Append(std::vector<LogRecord> records, AppendDone done) {
  if (tail_->tails() == 0) return inner()->Append(std::move(records), std::move(done));
  auto copy = std::make_shared<const std::vector<LogRecord>>(records);
  inner()->Append(std::move(records),
                  [tail = tail_, copy = std::move(copy), done = std::move(done)](absl::Status s) {
                    if (s.ok()) tail->Publish(copy);
                    done(std::move(s));
                  });
}

}  // namespace mayak
