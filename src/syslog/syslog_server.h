// Syslog over UDP and TCP on one port (default 127.0.0.1:5514): RFC 5424
// and RFC 3164 messages (syslog_message.h), TCP framed by octet counting
// ("57 <13>1 ...", RFC 6587) or by newlines. Records go through the same
// store, and so the same redaction, as every other ingest path.
//
// Syslog has no acknowledgement. A TCP connection is read no further while
// its messages are being stored, and when the store refuses them (disk
// full) they are kept and retried, so a TCP sender is slowed, never
// silently dropped; UDP datagrams that cannot be stored are counted in
// mayak_syslog_dropped_total.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "api/server_state.h"
#include "boost/asio/io_context.hpp"
#include "common/config.h"
#include "common/metrics.h"

namespace mayak {

class SyslogServer {
 public:
  // `max_message_bytes` bounds one message (limits.max_line).
  SyslogServer(boost::asio::io_context& io, const ServerState* state, MetricsRegistry* metrics,
               size_t max_message_bytes);
  ~SyslogServer();
  SyslogServer(const SyslogServer&) = delete;
  SyslogServer& operator=(const SyslogServer&) = delete;

  // Binds TCP and UDP on the same address (port 0: a free port, the same for
  // both). Returns the bound address.
  absl::StatusOr<std::string> Listen(const ListenAddress& address);
  // Closes the sockets; messages being stored finish.
  void Stop();

  struct Shared;

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace mayak
