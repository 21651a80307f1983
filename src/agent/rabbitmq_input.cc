#include "agent/rabbitmq_input.h"

#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <sys/time.h>

#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <thread>

#include "absl/time/clock.h"
#include "agent/dead_letter_record.h"
#include "common/logging.h"
#include "common/strings.h"

namespace mayak::agent {
namespace {

constexpr int kPrefetch = 256;

// What a failed rabbitmq-c call says.
std::string ReplyError(const amqp_rpc_reply_t& reply, std::string_view doing) {
  switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return "";
    case AMQP_RESPONSE_NONE:
      return StrCat(doing, ": no reply from the broker");
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      return StrCat(doing, ": ", amqp_error_string2(reply.library_error));
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD ||
          reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
        const auto* close = static_cast<const amqp_channel_close_t*>(reply.reply.decoded);
        return StrCat(doing, ": the broker said ", close->reply_code, " ",
                      std::string_view(static_cast<const char*>(close->reply_text.bytes),
                                       close->reply_text.len));
      }
      return StrCat(doing, ": the broker refused");
  }
  return std::string(doing);
}

// A dead letter kept until its record is stored, to be republished then.
struct KeptMessage {
  KeptMessage() { init_amqp_pool(&pool, 4096); }
  ~KeptMessage() { empty_amqp_pool(&pool); }
  KeptMessage(const KeptMessage&) = delete;
  KeptMessage& operator=(const KeptMessage&) = delete;

  amqp_pool_t pool;  // owns the properties' bytes and headers
  amqp_basic_properties_t properties{};
  std::string body;
};

std::unique_ptr<KeptMessage> Keep(const amqp_message_t& message) {
  auto kept = std::make_unique<KeptMessage>();
  amqp_basic_properties_t& p = kept->properties;
  p = message.properties;
  const auto copy = [&kept, &p](amqp_flags_t flag, amqp_bytes_t* bytes) {
    if ((p._flags & flag) == 0 || bytes->len == 0) return;
    amqp_bytes_t out;
    amqp_pool_alloc_bytes(&kept->pool, bytes->len, &out);
    std::memcpy(out.bytes, bytes->bytes, bytes->len);
    *bytes = out;
  };
  copy(AMQP_BASIC_CONTENT_TYPE_FLAG, &p.content_type);
  copy(AMQP_BASIC_CONTENT_ENCODING_FLAG, &p.content_encoding);
  copy(AMQP_BASIC_CORRELATION_ID_FLAG, &p.correlation_id);
  copy(AMQP_BASIC_REPLY_TO_FLAG, &p.reply_to);
  copy(AMQP_BASIC_MESSAGE_ID_FLAG, &p.message_id);
  copy(AMQP_BASIC_TYPE_FLAG, &p.type);
  copy(AMQP_BASIC_USER_ID_FLAG, &p.user_id);
  copy(AMQP_BASIC_APP_ID_FLAG, &p.app_id);
  copy(AMQP_BASIC_CLUSTER_ID_FLAG, &p.cluster_id);
  if ((p._flags & AMQP_BASIC_HEADERS_FLAG) != 0 &&
      amqp_table_clone(&message.properties.headers, &p.headers, &kept->pool) != AMQP_STATUS_OK) {
    p._flags &= ~AMQP_BASIC_HEADERS_FLAG;
  }
  // A per-message TTL would make it expire again where it is parked.
  p._flags &= ~AMQP_BASIC_EXPIRATION_FLAG;
  kept->body.assign(static_cast<const char*>(message.body.bytes), message.body.len);
  return kept;
}

}  // namespace

struct RabbitmqInput::Connection {
  Connection() {
    // Every blocking call of the protocol is bounded: a broker that stops
    // answering ends the connection instead of hanging the input.
    timeval timeout{10, 0};
    amqp_set_handshake_timeout(state, &timeout);
    amqp_set_rpc_timeout(state, &timeout);
  }
  ~Connection() {
    if (healthy && channel_open) amqp_channel_close(state, 1, AMQP_REPLY_SUCCESS);
    if (healthy && logged_in) amqp_connection_close(state, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(state);
  }
  amqp_connection_state_t state = amqp_new_connection();
  bool logged_in = false;
  bool channel_open = false;
  bool healthy = true;  // false after an error: no polite close on a broken connection
};

RabbitmqInput::RabbitmqInput(RabbitmqInputConfig config, OutputConfig output, BatchQueue* queue,
                             MetricsRegistry* metrics)
    : config_(std::move(config)),
      output_(std::move(output)),
      queue_(queue),
      consumed_(metrics->GetCounter("mayak_agent_amqp_messages_total",
                                    "Dead-lettered messages consumed from RabbitMQ.",
                                    {{"input", config_.name}})),
      acked_(metrics->GetCounter("mayak_agent_amqp_acked_total",
                                 "Dead-lettered messages acked after their record was stored.",
                                 {{"input", config_.name}})),
      reconnects_(metrics->GetCounter("mayak_agent_amqp_reconnects_total",
                                      "Connections to RabbitMQ lost or refused, then retried.",
                                      {{"input", config_.name}})) {}

void RabbitmqInput::Stored(uint64_t generation, uint64_t delivery_tag) {
  absl::MutexLock lock(&mu_);
  if (generation == generation_) to_ack_.push_back(delivery_tag);
  // else: the connection it came on is gone and RabbitMQ delivers it again.
}

void RabbitmqInput::Run(const std::atomic<bool>& stop_consuming, const std::atomic<bool>& stop) {
  int failures = 0;
  const std::atomic<bool>& stopping = stop_consuming;
  while (!stopping.load()) {
    absl::Status ended = Consume(stop_consuming, stop);
    if (stopping.load()) break;
    reconnects_->Add();
    if (failures == 0 || failures % 10 == 0) {
      LogWarn("agent: RabbitMQ input stopped consuming; reconnecting",
              {{"input", config_.name}, {"error", std::string(ended.message())}});
    }
    ++failures;
    const auto wait = std::chrono::milliseconds(std::min(30'000, 250 << std::min(failures, 7)));
    const auto until = std::chrono::steady_clock::now() + wait;
    while (!stopping.load() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

absl::Status RabbitmqInput::Consume(const std::atomic<bool>& stop_consuming,
                                    const std::atomic<bool>& stop) {
  std::string url = config_.url;
  amqp_connection_info info;
  amqp_default_connection_info(&info);
  if (amqp_parse_url(url.data(), &info) != AMQP_STATUS_OK) {
    return absl::InvalidArgumentError(StrCat("url '", config_.url, "' is not an amqp:// URL"));
  }
  // "amqp://host:5672/" names the empty vhost by the letter of the URI
  // spec, but everybody means the default one ("/", which is %2F there).
  std::string vhost = info.vhost == nullptr || *info.vhost == '\0' ? "/" : info.vhost;
  Connection connection;
  amqp_socket_t* socket = amqp_tcp_socket_new(connection.state);
  if (socket == nullptr) return absl::ResourceExhaustedError("cannot create a socket");
  timeval connect_timeout{10, 0};
  if (int rc = amqp_socket_open_noblock(socket, info.host, info.port, &connect_timeout);
      rc != AMQP_STATUS_OK) {
    return absl::UnavailableError(
        StrCat("cannot connect to ", info.host, ":", info.port, ": ", amqp_error_string2(rc)));
  }
  amqp_rpc_reply_t reply = amqp_login(connection.state, vhost.c_str(), 0, 131072, 30,
                                      AMQP_SASL_METHOD_PLAIN, info.user, info.password);
  if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
    connection.healthy = false;
    return absl::UnavailableError(ReplyError(reply, "login (check user, password and vhost)"));
  }
  connection.logged_in = true;
  amqp_channel_open(connection.state, 1);
  reply = amqp_get_rpc_reply(connection.state);
  if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
    connection.healthy = false;
    return absl::UnavailableError(ReplyError(reply, "opening a channel"));
  }
  connection.channel_open = true;
  amqp_basic_qos(connection.state, 1, 0, kPrefetch, 0);
  // Republishing: on a channel of its own, in a transaction, so that a
  // message is acked only after its copy is in the parking queue.
  const bool republish = !config_.republish_to.empty();
  if (republish) {
    amqp_channel_open(connection.state, 2);
    reply = amqp_get_rpc_reply(connection.state);
    if (reply.reply_type == AMQP_RESPONSE_NORMAL) {
      amqp_queue_declare(connection.state, 2, amqp_cstring_bytes(config_.republish_to.c_str()),
                         /*passive=*/1, 0, 0, 0, amqp_empty_table);
      reply = amqp_get_rpc_reply(connection.state);
    }
    if (reply.reply_type == AMQP_RESPONSE_NORMAL) {
      amqp_tx_select(connection.state, 2);
      reply = amqp_get_rpc_reply(connection.state);
    }
    if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
      connection.healthy = false;
      return absl::UnavailableError(ReplyError(
          reply, StrCat("republish_to queue '", config_.republish_to, "' (does it exist?)")));
    }
  }
  std::map<uint64_t, std::unique_ptr<KeptMessage>> kept;         // delivery tag -> message
  std::map<std::string, std::string, std::less<>> queue_of_tag;  // consumer tag -> queue
  for (const std::string& name : config_.queues) {
    amqp_basic_consume_ok_t* ok =
        amqp_basic_consume(connection.state, 1, amqp_cstring_bytes(name.c_str()), amqp_empty_bytes,
                           /*no_local=*/0, /*no_ack=*/0, /*exclusive=*/0, amqp_empty_table);
    reply = amqp_get_rpc_reply(connection.state);
    if (ok == nullptr || reply.reply_type != AMQP_RESPONSE_NORMAL) {
      connection.healthy = false;
      return absl::UnavailableError(
          ReplyError(reply, StrCat("consuming queue '", name, "' (does it exist?)")));
    }
    queue_of_tag[std::string(static_cast<const char*>(ok->consumer_tag.bytes),
                             ok->consumer_tag.len)] = name;
  }
  uint64_t generation = 0;
  {
    absl::MutexLock lock(&mu_);
    generation = ++generation_;
    to_ack_.clear();
  }
  LogInfo("agent: consuming dead letters",
          {{"input", config_.name}, {"queues", Join(config_.queues, ",")}});

  std::string encoded;
  while (true) {
    // Read before the acks are taken: once `stop` is seen, the acks of every
    // record the sender stored are in to_ack_, and this last pass sends them.
    const bool last_pass = stop.load();
    std::vector<uint64_t> acks;
    {
      absl::MutexLock lock(&mu_);
      acks.swap(to_ack_);
    }
    for (uint64_t tag : acks) {
      if (auto it = kept.find(tag); republish && it != kept.end()) {
        KeptMessage& message = *it->second;
        const amqp_bytes_t body{message.body.size(), message.body.data()};
        const int published = amqp_basic_publish(connection.state, 2, amqp_empty_bytes,
                                                 amqp_cstring_bytes(config_.republish_to.c_str()),
                                                 0, 0, &message.properties, body);
        amqp_tx_commit(connection.state, 2);
        reply = amqp_get_rpc_reply(connection.state);
        if (published != AMQP_STATUS_OK || reply.reply_type != AMQP_RESPONSE_NORMAL) {
          connection.healthy = false;
          return absl::UnavailableError(
              ReplyError(reply, StrCat("republishing to '", config_.republish_to, "'")));
        }
        kept.erase(it);
      }
      if (amqp_basic_ack(connection.state, 1, tag, 0) != AMQP_STATUS_OK) {
        connection.healthy = false;
        return absl::UnavailableError("the connection broke while acking");
      }
      acked_->Add();
    }
    if (last_pass) break;
    if (stop_consuming.load() || !queue_->HasRoom()) {
      // Stopping: no new messages, but the acks of those being sent.
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    amqp_maybe_release_buffers(connection.state);
    amqp_envelope_t envelope;
    timeval timeout{0, 100'000};
    reply = amqp_consume_message(connection.state, &envelope, &timeout, 0);
    if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
        reply.library_error == AMQP_STATUS_TIMEOUT) {
      continue;
    }
    if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
      if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
          reply.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
        // Not a delivery: a close from the broker, or a stray frame.
        amqp_frame_t frame;
        if (amqp_simple_wait_frame(connection.state, &frame) != AMQP_STATUS_OK) {
          connection.healthy = false;
          return absl::UnavailableError("the connection broke");
        }
        if (frame.frame_type == AMQP_FRAME_METHOD &&
            (frame.payload.method.id == AMQP_CHANNEL_CLOSE_METHOD ||
             frame.payload.method.id == AMQP_CONNECTION_CLOSE_METHOD)) {
          connection.healthy = false;
          return absl::UnavailableError("the broker closed the channel");
        }
        continue;
      }
      connection.healthy = false;
      return absl::UnavailableError(ReplyError(reply, "receiving"));
    }
    consumed_->Add();
    const auto queue = queue_of_tag.find(std::string_view(
        static_cast<const char*>(envelope.consumer_tag.bytes), envelope.consumer_tag.len));
    DeadLetter letter;
    letter.consumed_from = queue != queue_of_tag.end() ? queue->second : config_.queues[0];
    letter.properties = &envelope.message.properties;
    letter.body = std::string_view(static_cast<const char*>(envelope.message.body.bytes),
                                   envelope.message.body.len);
    encoded.clear();
    EncodeDeadLetter(letter, config_, output_, absl::GetCurrentTimeNanos(), &encoded);
    const uint64_t tag = envelope.delivery_tag;
    if (republish) kept[tag] = Keep(envelope.message);
    queue_->AddAcked(encoded, absl::GetCurrentTimeNanos(),
                     [this, generation, tag] { Stored(generation, tag); });
    amqp_destroy_envelope(&envelope);
  }
  return absl::OkStatus();
}

}  // namespace mayak::agent
