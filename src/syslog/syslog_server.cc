#include "syslog/syslog_server.h"

#include <array>
#include <charconv>
#include <chrono>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "api/ingest_counters.h"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/ip/udp.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/strand.hpp"
#include "common/logging.h"
#include "common/strings.h"
#include "syslog/syslog_message.h"

namespace mayak {

namespace net = boost::asio;
using net::ip::tcp;
using net::ip::udp;

struct SyslogServer::Shared {
  Shared(net::io_context& io_context, const ServerState* server_state, size_t max_bytes,
         MetricsRegistry* metrics)
      : io(io_context),
        state(server_state),
        max_message_bytes(max_bytes),
        messages_udp(metrics->GetCounter("mayak_syslog_messages_total", "Syslog messages received.",
                                         {{"transport", "udp"}})),
        messages_tcp(metrics->GetCounter("mayak_syslog_messages_total", "Syslog messages received.",
                                         {{"transport", "tcp"}})),
        rejected(GetIngestCounters(metrics).rejected),
        dropped(metrics->GetCounter("mayak_syslog_dropped_total",
                                    "Syslog messages over UDP that could not be stored (the "
                                    "store was not ready or refused them).")),
        stored(GetIngestCounters(metrics).records) {}

  net::io_context& io;
  const ServerState* state;
  size_t max_message_bytes;
  Counter* messages_udp;
  Counter* messages_tcp;
  Counter* rejected;
  Counter* dropped;
  Counter* stored;
  absl::Mutex mu;
  std::shared_ptr<tcp::acceptor> acceptor ABSL_GUARDED_BY(mu);
  std::shared_ptr<udp::socket> socket ABSL_GUARDED_BY(mu);

  // Parses `message` into `records`; a message that does not parse is
  // counted and logged at debug level (a sender's bug, not ours).
  void Parse(std::string_view message, std::vector<LogRecord>* records) const {
    auto record = ParseSyslogMessage(message, absl::GetCurrentTimeNanos());
    if (!record.ok()) {
      rejected->Add();
      LogDebug("syslog: message rejected", {{"error", std::string(record.status().message())}});
      return;
    }
    records->push_back(*std::move(record));
  }
};

namespace {

using Shared = SyslogServer::Shared;

// The store when the server is ready.
LogStore* ReadyStore(const ServerState* state) {
  return state->phase.load() == ServerPhase::kReady ? state->store.load() : nullptr;
}

// One TCP connection: reads, splits frames, stores, and only then reads on.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, std::shared_ptr<Shared> shared)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), shared_(std::move(shared)) {}

  void Read() {
    constexpr size_t kReadBytes = size_t{64} * 1024;
    if (buffer_.size() - used_ < kReadBytes) buffer_.resize(used_ + kReadBytes);
    socket_.async_read_some(net::buffer(buffer_.data() + used_, buffer_.size() - used_),
                            [self = shared_from_this()](boost::system::error_code ec, size_t n) {
                              self->OnRead(ec, n);
                            });
  }

 private:
  void OnRead(boost::system::error_code ec, size_t n) {
    if (ec) {
      // The sender closed: a last message without its newline still counts.
      if (used_ > 0 && !octet_counting_) Frame(std::string_view(buffer_.data(), used_));
      used_ = 0;
      if (!records_.empty()) Store(/*then_read=*/false);
      return;
    }
    used_ += n;
    const size_t consumed = Frames();
    if (consumed == std::string::npos) {
      // A broken frame closed the connection; what came before it is kept.
      if (!records_.empty()) Store(/*then_read=*/false);
      return;
    }
    std::memmove(buffer_.data(), buffer_.data() + consumed, used_ - consumed);
    used_ -= consumed;
    if (records_.empty()) return Read();
    Store(/*then_read=*/true);
  }

  // Takes the complete frames out of the buffer; returns the bytes used, or
  // npos after closing the connection on a frame that cannot be read.
  size_t Frames() {
    const std::string_view data(buffer_.data(), used_);
    size_t at = 0;
    while (at < data.size()) {
      // Octet counting is "LEN SP <PRI>...": digits, a space and a '<'. A
      // line that merely starts with digits (a header-less message) is
      // newline-framed.
      size_t digits_end = at;
      while (digits_end < data.size() && digits_end - at <= 10 && data[digits_end] >= '0' &&
             data[digits_end] <= '9') {
        ++digits_end;
      }
      const bool counted = digits_end > at && digits_end - at <= 10 &&
                           digits_end + 1 < data.size() && data[digits_end] == ' ' &&
                           data[digits_end + 1] == '<';
      const bool undecided =
          digits_end > at && digits_end - at <= 10 &&
          (digits_end == data.size() || (data[digits_end] == ' ' && digits_end + 1 == data.size()));
      if (undecided) break;  // wait for the bytes that tell
      if (counted) {
        octet_counting_ = true;
        const size_t space = digits_end;
        size_t length = 0;
        const auto [end, err] = std::from_chars(data.data() + at, data.data() + space, length);
        if (err != std::errc() || end != data.data() + space) {
          return Broken("an octet count that is not a number");
        }
        if (length > shared_->max_message_bytes) {
          return Broken(StrCat("a message of ", length, " bytes, over limits.max_line"));
        }
        if (data.size() - space - 1 < length) break;
        Frame(data.substr(space + 1, length));
        at = space + 1 + length;
        continue;
      }
      octet_counting_ = false;
      const size_t newline = data.find('\n', at);
      if (newline == std::string_view::npos) {
        if (data.size() - at > shared_->max_message_bytes) {
          return Broken("a line over limits.max_line");
        }
        break;
      }
      Frame(data.substr(at, newline - at));
      at = newline + 1;
    }
    return at;
  }

  void Frame(std::string_view message) {
    while (!message.empty() && (message.back() == '\r' || message.back() == '\0')) {
      message.remove_suffix(1);
    }
    if (message.empty()) return;
    shared_->messages_tcp->Add();
    shared_->Parse(message, &records_);
  }

  size_t Broken(std::string_view why) {
    LogWarn("syslog: closing a TCP connection", {{"reason", std::string(why)}});
    shared_->rejected->Add();
    boost::system::error_code ignored;
    socket_.close(ignored);
    return std::string::npos;
  }

  // Stores the records taken so far; retried while the store is not ready
  // or refuses them, so nothing read is lost while the server runs.
  void Store(bool then_read) {
    LogStore* store = ReadyStore(shared_->state);
    if (store == nullptr) {
      if (shared_->state->phase.load() == ServerPhase::kStopping) {
        shared_->dropped->Add(records_.size());
        return;
      }
      return RetryLater(then_read);
    }
    std::vector<LogRecord> batch = records_;
    store->Append(
        std::move(batch), [self = shared_from_this(), then_read](const absl::Status& status) {
          net::post(self->socket_.get_executor(), [self, then_read, status] {
            if (!status.ok()) {
              LogWarn("syslog: cannot store, retrying", {{"error", std::string(status.message())}});
              return self->RetryLater(then_read);
            }
            self->shared_->stored->Add(self->records_.size());
            self->records_.clear();
            if (then_read) self->Read();
          });
        });
  }

  void RetryLater(bool then_read) {
    timer_.expires_after(std::chrono::seconds(1));
    timer_.async_wait([self = shared_from_this(), then_read](boost::system::error_code ec) {
      if (!ec) self->Store(then_read);
    });
  }

  tcp::socket socket_;
  net::steady_timer timer_;
  std::shared_ptr<Shared> shared_;
  std::vector<char> buffer_;
  size_t used_ = 0;
  bool octet_counting_ = false;
  std::vector<LogRecord> records_;
};

void Accept(const std::shared_ptr<tcp::acceptor>& acceptor, const std::shared_ptr<Shared>& shared) {
  acceptor->async_accept(net::make_strand(shared->io),
                         [acceptor, shared](boost::system::error_code ec, tcp::socket socket) {
                           if (ec == net::error::operation_aborted) return;
                           if (!ec) {
                             std::make_shared<Connection>(std::move(socket), shared)->Read();
                           }
                           Accept(acceptor, shared);
                         });
}

// Receives datagrams: each one a message. What arrived together is stored
// in one append.
class Receiver : public std::enable_shared_from_this<Receiver> {
 public:
  Receiver(std::shared_ptr<udp::socket> socket, std::shared_ptr<Shared> shared)
      : socket_(std::move(socket)), shared_(std::move(shared)) {}

  void Receive() {
    socket_->async_receive_from(net::buffer(buffer_), sender_,
                                [self = shared_from_this()](boost::system::error_code ec,
                                                            size_t n) { self->OnReceive(ec, n); });
  }

 private:
  void OnReceive(boost::system::error_code ec, size_t n) {
    if (ec == net::error::operation_aborted) return;
    std::vector<LogRecord> records;
    if (!ec) Take(n, &records);
    // Whatever else is waiting, without blocking, up to a batch.
    for (int i = 0; i < 255 && !ec && socket_->available(ec) > 0 && !ec; ++i) {
      const size_t more = socket_->receive_from(net::buffer(buffer_), sender_, 0, ec);
      if (!ec) Take(more, &records);
    }
    if (!records.empty()) {
      LogStore* store = ReadyStore(shared_->state);
      const size_t count = records.size();
      if (store == nullptr) {
        shared_->dropped->Add(count);
      } else {
        store->Append(std::move(records), [shared = shared_, count](const absl::Status& status) {
          (status.ok() ? shared->stored : shared->dropped)->Add(count);
        });
      }
    }
    Receive();
  }

  void Take(size_t n, std::vector<LogRecord>* records) {
    shared_->messages_udp->Add();
    if (n > shared_->max_message_bytes) {
      shared_->rejected->Add();
      return;
    }
    shared_->Parse(std::string_view(buffer_.data(), n), records);
  }

  std::shared_ptr<udp::socket> socket_;
  std::shared_ptr<Shared> shared_;
  std::array<char, 65536> buffer_{};
  udp::endpoint sender_;
};

}  // namespace

SyslogServer::SyslogServer(net::io_context& io, const ServerState* state, MetricsRegistry* metrics,
                           size_t max_message_bytes)
    : shared_(std::make_shared<Shared>(io, state, max_message_bytes, metrics)) {}

SyslogServer::~SyslogServer() { Stop(); }

absl::StatusOr<std::string> SyslogServer::Listen(const ListenAddress& address) {
  boost::system::error_code ec;
  const auto ip =
      net::ip::make_address(address.host == "localhost" ? "127.0.0.1" : address.host, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        StrCat("syslog: cannot listen on ", address.ToString(), ": ", ec.message()));
  }
  const auto fail = [&address, &ec](std::string_view what) {
    return absl::UnavailableError(
        StrCat("syslog: cannot ", what, " ", address.ToString(), ": ", ec.message(),
               ec == net::error::address_in_use ? "; another process holds the port: stop it, or "
                                                  "choose another address (or off)"
                                                : ""));
  };
  auto acceptor = std::make_shared<tcp::acceptor>(net::make_strand(shared_->io));
  acceptor->open(ip.is_v6() ? tcp::v6() : tcp::v4(), ec);
  if (!ec) acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(tcp::endpoint(ip, address.port), ec);
  if (!ec) acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen (TCP) on");
  const uint16_t port = acceptor->local_endpoint().port();
  auto socket = std::make_shared<udp::socket>(net::make_strand(shared_->io));
  socket->open(ip.is_v6() ? udp::v6() : udp::v4(), ec);
  if (!ec) socket->bind(udp::endpoint(ip, port), ec);
  if (!ec) socket->set_option(net::socket_base::receive_buffer_size(4 << 20), ec);
  if (ec) return fail("listen (UDP) on");
  {
    absl::MutexLock lock(&shared_->mu);
    shared_->acceptor = acceptor;
    shared_->socket = socket;
  }
  Accept(acceptor, shared_);
  std::make_shared<Receiver>(socket, shared_)->Receive();
  const std::string host = ip.to_string();
  return ip.is_v6() ? StrCat("[", host, "]:", port) : StrCat(host, ":", port);
}

void SyslogServer::Stop() {
  absl::MutexLock lock(&shared_->mu);
  if (shared_->acceptor != nullptr) {
    net::post(shared_->acceptor->get_executor(), [acceptor = shared_->acceptor] {
      boost::system::error_code ignored;
      acceptor->close(ignored);
    });
    shared_->acceptor.reset();
  }
  if (shared_->socket != nullptr) {
    net::post(shared_->socket->get_executor(), [socket = shared_->socket] {
      boost::system::error_code ignored;
      socket->close(ignored);
    });
    shared_->socket.reset();
  }
}

}  // namespace mayak
