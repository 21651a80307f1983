// The agent's output over TLS with a CA of one's own and an API key: a
// stand-in server (Python's ssl and http.server, a certificate made by
// openssl for 127.0.0.1) answers as Mayak's ingest does and records what
// it got.
#include <filesystem>
#include <fstream>

#include "agent_process.h"
#include "common/strings.h"
#include "gtest/gtest.h"
#include "support/eventually.h"
#include "support/temp_dir.h"
#include "test_helpers.h"

namespace mayak::testing {
namespace {

constexpr const char* kTlsSink = R"(
import gzip, http.server, json, ssl, sys
port, cert, key, out = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
class Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        lines = [l for l in body.split(b"\n") if l]
        with open(out, "a") as f:
            for l in lines:
                f.write(json.dumps({"auth": self.headers.get("Authorization"),
                                    "path": self.path, "event": json.loads(l)}) + "\n")
        reply = json.dumps({"accepted": len(lines), "rejected": 0, "errors": []}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)
    def log_message(self, *args): pass
server = http.server.HTTPServer(("127.0.0.1", port), Sink)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
print("serving", flush=True)
server.serve_forever()
)";

TEST(AgentTlsTest, SendsOverTlsTrustingItsCaFileWithItsApiKey) {
  TempDir dir;
  const std::string d = dir.path();
  std::string out;
  ASSERT_EQ(RunCommand(StrCat("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "
                              "/CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout ",
                              d, "/key.pem -out ", d, "/cert.pem"),
                       &out),
            0)
      << out;
  std::ofstream(d + "/sink.py") << kTlsSink;
  const int port = FreePort();
  ChildProcess sink({"python3", d + "/sink.py", StrCat(port), d + "/cert.pem", d + "/key.pem",
                     d + "/received.ndjson"});
  ASSERT_TRUE(sink.WaitForOutput("serving", std::chrono::seconds(20))) << sink.output();
  std::filesystem::create_directories(d + "/logs");
  {
    std::ofstream log(d + "/logs/app.log");
    for (int i = 0; i < 50; ++i) log << "line " << i << "\n";
  }
  const std::string head = StrCat("inputs:\n  - {type: file, paths: ['", d,
                                  "/logs/*.log'], fields: {system: tls}}\noutput:\n");
  // Without the CA the server's certificate is not trusted: nothing is taken.
  {
    AgentProcess untrusted(
        d, StrCat(head, "  mayak: {url: 'https://127.0.0.1:", port,
                  "', compression: gzip}\n  backoff_min: 50ms\n  backoff_max: 200ms\n"));
    ASSERT_TRUE(untrusted.WaitForLog("cannot send; retrying", std::chrono::seconds(20)))
        << untrusted.log();
    EXPECT_NE(untrusted.log().find("certificate"), std::string::npos) << untrusted.log();
    untrusted.Kill();
  }
  EXPECT_FALSE(std::filesystem::exists(d + "/received.ndjson"));
  std::filesystem::remove_all(d + "/agent-data");  // the untrusted run buffered them on disk
  AgentProcess agent(d, StrCat(head, "  mayak: {url: 'https://127.0.0.1:", port,
                               "', compression: gzip, api_key: k-123, ca_file: '", d,
                               "/cert.pem'}\n  batch_wait: 100ms\n"));
  ASSERT_TRUE(Eventually([&] {
    std::ifstream in(d + "/received.ndjson");
    std::string line;
    int lines = 0;
    while (std::getline(in, line)) ++lines;
    return lines == 50;
  })) << agent.log();
  std::ifstream in(d + "/received.ndjson");
  std::string first;
  std::getline(in, first);
  ParsedJson json(first);
  ASSERT_TRUE(json.ok()) << first;
  EXPECT_EQ(std::string_view(json["auth"]), "ApiKey k-123");
  EXPECT_EQ(std::string_view(json["path"]), "/api/v1/logs");
  EXPECT_EQ(std::string_view(json["event"]["message"]), "line 0");
  EXPECT_EQ(std::string_view(json["event"]["system"]), "tls");
}

}  // namespace
}  // namespace mayak::testing
