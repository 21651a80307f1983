// The agent's RabbitMQ input on a real broker (scripts/test-rabbitmq):
// messages rejected, expired and over max-length each become one WARN
// amqp.dead_lettered record with the right reason, and a Mayak outage while
// they are shipped loses none and doubles none; each is then parked in
// another queue for operators.
#include <signal.h>

#include <map>

#include "agent_process.h"
#include "amqp_test_client.h"
#include "common/strings.h"
#include "gtest/gtest.h"
#include "server_process.h"
#include "support/eventually.h"
#include "test_helpers.h"

namespace mayak::testing {
namespace {

class RabbitmqBroker {
 public:
  explicit RabbitmqBroker(const std::string& dir) : dir_(dir + "/rabbitmq"), port_(FreePort()) {
    started_ =
        RunCommand(StrCat(MAYAK_SOURCE_DIR, "/scripts/test-rabbitmq start ", dir_, " ", port_),
                   &output_) == 0;
  }
  ~RabbitmqBroker() {
    std::string out;
    if (started_) RunCommand(StrCat(MAYAK_SOURCE_DIR, "/scripts/test-rabbitmq stop ", dir_), &out);
  }
  bool started() const { return started_; }
  const std::string& output() const { return output_; }
  int port() const { return port_; }

 private:
  std::string dir_;
  int port_;
  bool started_ = false;
  std::string output_;
};

// Each dead-letter record's body excerpt, and how often it was stored.
std::map<std::string, int> DeadLetterBodies(HttpClient& client, uint64_t* total) {
  std::map<std::string, int> bodies;
  HttpReply reply = Search(client, "from=0&limit=10000&q=event.action:amqp.dead_lettered");
  ParsedJson json(reply.body);
  if (reply.status != 200 || !json.ok()) return bodies;
  *total = uint64_t(json["total"]);
  for (simdjson::dom::element hit : json["hits"].get_array()) {
    std::string_view body;
    if (hit["rabbitmq.body"].get_string().get(body) == simdjson::SUCCESS)
      ++bodies[std::string(body)];
  }
  return bodies;
}

TEST(AgentRabbitmqTest, DeadLettersBecomeRecordsAndSurviveAnOutage) {
  TempDir dir;
  RabbitmqBroker broker(dir.path());
  ASSERT_TRUE(broker.started()) << broker.output();
  AmqpTestClient amqp(broker.port());
  ASSERT_TRUE(amqp.ok());
  ASSERT_TRUE(amqp.DeclareExchange("dlx", "fanout"));
  ASSERT_TRUE(amqp.DeclareQueue("dead-letters"));
  ASSERT_TRUE(amqp.Bind("dead-letters", "dlx"));
  ASSERT_TRUE(amqp.DeclareQueue("orders", "dlx"));
  ASSERT_TRUE(amqp.DeclareQueue("orders.ttl", "dlx", /*ttl_ms=*/50));
  ASSERT_TRUE(amqp.DeclareQueue("orders.small", "dlx", 0, /*max_length=*/1));
  ASSERT_TRUE(amqp.DeclareQueue("parked"));  // where operators find them afterwards

  const int port = FreePort();
  const auto options = [&] {
    ServerOptions o(dir.path() + "/server", {"--listen", StrCat("127.0.0.1:", port)});
    return o;
  };
  auto server = std::make_unique<ServerProcess>(options());
  ASSERT_TRUE(server->ready()) << server->log();
  AgentProcess agent(
      dir.path(),
      StrCat("inputs:\n  - type: rabbitmq\n    url: amqp://guest:guest@127.0.0.1:", broker.port(),
             "/\n    queues: [dead-letters]\n", "    fields: {service.name: crm-mes-bus}\n",
             "    republish_to: parked\n", "output:\n  mayak: {url: 'http://127.0.0.1:", port,
             "'}\n", "  batch_wait: 100ms\n  backoff_min: 50ms\n  backoff_max: 500ms\n"));
  ASSERT_TRUE(agent.WaitForLog("consuming dead letters", std::chrono::seconds(30))) << agent.log();

  const std::string traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  ASSERT_TRUE(amqp.Publish("orders", "{\"order\":1}", "m-1", traceparent));
  ASSERT_TRUE(Eventually([&] { return amqp.RejectOne("orders"); }));
  ASSERT_TRUE(amqp.Publish("orders.ttl", "{\"order\":2}", "m-2"));
  ASSERT_TRUE(amqp.Publish("orders.small", "{\"order\":3}", "m-3"));
  ASSERT_TRUE(amqp.Publish("orders.small", "{\"order\":4}", "m-4"));  // pushes 3 out

  auto client = server->Client();
  std::unique_ptr<ParsedJson> records;
  ASSERT_TRUE(Eventually([&] {
    HttpReply reply = Search(*client, "from=0&limit=10&q=event.action:amqp.dead_lettered");
    records = std::make_unique<ParsedJson>(reply.body);
    return records->ok() && uint64_t((*records)["total"]) == 3;
  })) << agent.log();
  std::map<std::string, std::string> reason_of_queue;
  for (simdjson::dom::element hit : (*records)["hits"].get_array()) {
    EXPECT_EQ(std::string_view(hit["log.level"]), "WARN");
    EXPECT_EQ(std::string_view(hit["system"]), "rabbitmq");
    EXPECT_EQ(std::string_view(hit["service.name"]), "crm-mes-bus");
    EXPECT_EQ(int64_t(hit["rabbitmq.death.count"]), 1);
    EXPECT_EQ(std::string_view(hit["rabbitmq.dead_letter_queue"]), "dead-letters");
    EXPECT_EQ(std::string_view(hit["rabbitmq.death.queue"]),
              std::string_view(hit["messaging.destination.name"]));
    reason_of_queue[std::string(std::string_view(hit["messaging.destination.name"]))] =
        std::string_view(hit["rabbitmq.death.reason"]);
    if (std::string_view(hit["messaging.message.id"]) == "m-1") {
      EXPECT_EQ(std::string_view(hit["trace.id"]), "4bf92f3577b34da6a3ce929d0e0e4736");
      EXPECT_EQ(std::string_view(hit["rabbitmq.headers.traceparent"]), traceparent);
      EXPECT_EQ(std::string_view(hit["rabbitmq.body"]), "{\"order\":1}");
    }
  }
  EXPECT_EQ(reason_of_queue,
            (std::map<std::string, std::string>{
                {"orders", "rejected"}, {"orders.small", "maxlen"}, {"orders.ttl", "expired"}}));

  // Mayak goes away while messages keep dying: none is acked, none is lost.
  ASSERT_EQ(server->Stop(SIGTERM, std::chrono::seconds(30)), 0);
  constexpr int kDuringOutage = 100;
  for (int i = 0; i < kDuringOutage; ++i) {
    ASSERT_TRUE(amqp.Publish("orders.ttl", StrCat("outage ", i), StrCat("o-", i)));
  }
  ASSERT_TRUE(agent.WaitForLog("cannot send; retrying", std::chrono::seconds(20))) << agent.log();
  server = std::make_unique<ServerProcess>(options());
  ASSERT_TRUE(server->ready()) << server->log();
  client = server->Client();
  uint64_t total = 0;
  std::map<std::string, int> bodies;
  ASSERT_TRUE(Eventually([&] {
    bodies = DeadLetterBodies(*client, &total);
    return total >= 3 + kDuringOutage;
  })) << agent.log();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  bodies = DeadLetterBodies(*client, &total);
  EXPECT_EQ(total, 3u + kDuringOutage);
  for (int i = 0; i < kDuringOutage; ++i) EXPECT_EQ(bodies[StrCat("outage ", i)], 1) << i;
  // Acked once stored: the dead-letter queue drains.
  EXPECT_TRUE(Eventually([&] { return amqp.Ready("dead-letters") == 0; }));
  EXPECT_EQ(agent.Stop(SIGTERM), 0);
  AmqpTestClient after(broker.port());
  EXPECT_EQ(after.Ready("dead-letters"), 0) << "nothing left unacked and requeued";
  EXPECT_EQ(after.Ready("parked"), 3 + kDuringOutage) << "each republished once, once stored";
}

}  // namespace
}  // namespace mayak::testing
