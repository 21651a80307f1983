// A small AMQP 0-9-1 client for tests (rabbitmq-c): declares the dead-letter
// topology, publishes, and rejects messages so that RabbitMQ dead-letters them.
#pragma once

#include <amqp.h>
#include <amqp_tcp_socket.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace mayak::testing {

class AmqpTestClient {
 public:
  explicit AmqpTestClient(int port) : state_(amqp_new_connection()) {
    amqp_socket_t* socket = amqp_tcp_socket_new(state_);
    ok_ = socket != nullptr && amqp_socket_open(socket, "127.0.0.1", port) == AMQP_STATUS_OK &&
          amqp_login(state_, "/", 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, "guest", "guest")
                  .reply_type == AMQP_RESPONSE_NORMAL;
    if (ok_) {
      amqp_channel_open(state_, 1);
      ok_ = amqp_get_rpc_reply(state_).reply_type == AMQP_RESPONSE_NORMAL;
    }
  }
  ~AmqpTestClient() {
    amqp_channel_close(state_, 1, AMQP_REPLY_SUCCESS);
    amqp_connection_close(state_, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(state_);
  }
  bool ok() const { return ok_; }

  bool DeclareExchange(const std::string& name, const std::string& type) {
    amqp_exchange_declare(state_, 1, amqp_cstring_bytes(name.c_str()),
                          amqp_cstring_bytes(type.c_str()), 0, 1, 0, 0, amqp_empty_table);
    return Ok();
  }
  // `args`: x-dead-letter-exchange (text), x-message-ttl and x-max-length (numbers).
  bool DeclareQueue(const std::string& name, const std::string& dead_letter_exchange = "",
                    int64_t ttl_ms = 0, int64_t max_length = 0) {
    std::vector<amqp_table_entry_t> entries;
    if (!dead_letter_exchange.empty()) {
      entries.push_back(Entry("x-dead-letter-exchange", dead_letter_exchange));
    }
    if (ttl_ms > 0) entries.push_back(Entry("x-message-ttl", ttl_ms));
    if (max_length > 0) entries.push_back(Entry("x-max-length", max_length));
    amqp_table_t args{static_cast<int>(entries.size()), entries.data()};
    amqp_queue_declare(state_, 1, amqp_cstring_bytes(name.c_str()), 0, 1, 0, 0, args);
    return Ok();
  }
  bool Bind(const std::string& queue, const std::string& exchange) {
    amqp_queue_bind(state_, 1, amqp_cstring_bytes(queue.c_str()),
                    amqp_cstring_bytes(exchange.c_str()), amqp_cstring_bytes(queue.c_str()),
                    amqp_empty_table);
    return Ok();
  }
  // Publishes to `queue` through the default exchange.
  bool Publish(const std::string& queue, const std::string& body,
               const std::string& message_id = "", const std::string& traceparent = "") {
    amqp_basic_properties_t props{};
    props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG;
    props.delivery_mode = 2;
    props.content_type = amqp_cstring_bytes("application/json");
    if (!message_id.empty()) {
      props._flags |= AMQP_BASIC_MESSAGE_ID_FLAG;
      props.message_id = amqp_cstring_bytes(message_id.c_str());
    }
    amqp_table_entry_t header;
    if (!traceparent.empty()) {
      header = Entry("traceparent", traceparent);
      props._flags |= AMQP_BASIC_HEADERS_FLAG;
      props.headers = amqp_table_t{1, &header};
    }
    amqp_bytes_t bytes{body.size(), const_cast<char*>(body.data())};
    return amqp_basic_publish(state_, 1, amqp_empty_bytes, amqp_cstring_bytes(queue.c_str()), 0, 0,
                              &props, bytes) == AMQP_STATUS_OK;
  }
  // Takes one message of `queue` and rejects it without requeueing.
  bool RejectOne(const std::string& queue) {
    amqp_rpc_reply_t reply = amqp_basic_get(state_, 1, amqp_cstring_bytes(queue.c_str()), 0);
    if (reply.reply_type != AMQP_RESPONSE_NORMAL || reply.reply.id != AMQP_BASIC_GET_OK_METHOD) {
      return false;
    }
    const auto* ok = static_cast<amqp_basic_get_ok_t*>(reply.reply.decoded);
    const uint64_t tag = ok->delivery_tag;
    amqp_message_t message;
    if (amqp_read_message(state_, 1, &message, 0).reply_type != AMQP_RESPONSE_NORMAL) return false;
    amqp_destroy_message(&message);
    return amqp_basic_reject(state_, 1, tag, /*requeue=*/0) == AMQP_STATUS_OK;
  }
  // Ready messages of `queue` (-1 on error).
  int64_t Ready(const std::string& queue) {
    amqp_queue_declare_ok_t* ok = amqp_queue_declare(state_, 1, amqp_cstring_bytes(queue.c_str()),
                                                     /*passive=*/1, 0, 0, 0, amqp_empty_table);
    return Ok() && ok != nullptr ? static_cast<int64_t>(ok->message_count) : -1;
  }

 private:
  static amqp_table_entry_t Entry(const char* key, const std::string& text) {
    amqp_table_entry_t e;
    e.key = amqp_cstring_bytes(key);
    e.value.kind = AMQP_FIELD_KIND_UTF8;
    e.value.value.bytes = amqp_bytes_t{text.size(), const_cast<char*>(text.data())};
    return e;
  }
  static amqp_table_entry_t Entry(const char* key, int64_t number) {
    amqp_table_entry_t e;
    e.key = amqp_cstring_bytes(key);
    e.value.kind = AMQP_FIELD_KIND_I64;
    e.value.value.i64 = number;
    return e;
  }
  bool Ok() { return amqp_get_rpc_reply(state_).reply_type == AMQP_RESPONSE_NORMAL; }

  amqp_connection_state_t state_;
  bool ok_ = false;
};

}  // namespace mayak::testing
