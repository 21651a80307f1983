#include "archive/s3_client.h"

#include "gtest/gtest.h"
#include "support/s3_server.h"
#include "support/temp_dir.h"

namespace mayak {
namespace {

class S3ClientTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(server_.endpoint().empty()) << server_.output(); }

  std::unique_ptr<S3Client> Client(S3Options options = {}) {
    options.endpoint = server_.endpoint();
    if (options.bucket.empty()) options.bucket = testing::S3Server::kBucket;
    options.access_key = testing::S3Server::kAccessKey;
    options.secret_key = testing::S3Server::kSecretKey;
    options.first_backoff_ms = 10;
    auto client = S3Client::Create(options);
    EXPECT_TRUE(client.ok()) << client.status();
    return *std::move(client);
  }

  testing::S3Server server_;
};

TEST_F(S3ClientTest, PutGetHeadListDelete) {
  auto client = Client();
  const std::string data = "segment bytes \x01\x02 and more";
  ASSERT_TRUE(client->Put("logs/shop/2026-11-24/00000001.seg", data).ok());
  ASSERT_TRUE(client->Put("logs/shop/2026-11-24/manifest.json", "{}").ok());
  ASSERT_TRUE(client->Put("logs/crm/2026-11-24/00000002.seg", "x").ok());
  auto got = client->Get("logs/shop/2026-11-24/00000001.seg");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, data);
  auto head = client->Head("logs/shop/2026-11-24/00000001.seg");
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(head->size, data.size());
  EXPECT_EQ(head->etag, client->ExpectedEtag(data));
  auto listed = client->List("logs/shop/");
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].key, "logs/shop/2026-11-24/00000001.seg");
  EXPECT_EQ((*listed)[0].size, data.size());
  EXPECT_EQ((*listed)[1].key, "logs/shop/2026-11-24/manifest.json");
  ASSERT_TRUE(client->Delete("logs/shop/2026-11-24/00000001.seg").ok());
  EXPECT_EQ(client->Head("logs/shop/2026-11-24/00000001.seg").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(client->Get("no/such/key").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(S3ClientTest, LargeObjectsGoInPartsAndCheckTheirEtag) {
  S3Options options;
  options.multipart_threshold = 6 << 20;
  options.part_size = 5 << 20;  // S3's smallest
  auto client = Client(options);
  std::string data(12 << 20, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7 + i / 1000);
  const absl::Status put = client->Put("big.seg", data);
  ASSERT_TRUE(put.ok()) << put;
  EXPECT_EQ(client->ExpectedEtag(data).substr(32), "-3");
  auto got = client->Get("big.seg");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(*got == data);

  // The same from a file, a part at a time, and back into pieces.
  testing::TempDir dir;
  ASSERT_TRUE(WriteFileAtomically(Env::Default(), dir.path() + "/big.seg", data).ok());
  auto file = Env::Default()->NewRandomAccessFile(dir.path() + "/big.seg");
  ASSERT_TRUE(file.ok());
  auto md5 = client->PutFile("big-file.seg", **file);
  ASSERT_TRUE(md5.ok()) << md5.status();
  EXPECT_EQ(*md5, Md5Hex(data));
  std::string streamed;
  int restarts = 0;
  size_t pieces = 0;
  const S3BodySink sink{[&] {
                          ++restarts;
                          streamed.clear();
                          return absl::OkStatus();
                        },
                        [&](std::string_view piece) {
                          ++pieces;
                          streamed.append(piece);
                          return absl::OkStatus();
                        }};
  auto download = client->GetTo("big-file.seg", sink);
  ASSERT_TRUE(download.ok()) << download.status();
  EXPECT_EQ(download->size, data.size());
  EXPECT_EQ(download->md5, *md5);
  EXPECT_EQ(restarts, 1);
  EXPECT_GT(pieces, 1u) << "a large body arrives in pieces";
  EXPECT_TRUE(streamed == data);

  // A sink's error ends the download with it; a missing object is NotFound.
  const S3BodySink refusing{[] { return absl::OkStatus(); },
                            [](std::string_view) { return absl::CancelledError("stop"); }};
  EXPECT_EQ(client->GetTo("big-file.seg", refusing).status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(client->GetTo("no/such/key", sink).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(S3ClientTest, ErrorsNameTheProblem) {
  S3Options options;
  options.bucket = "no-such-bucket";
  auto client = Client(options);
  const absl::Status missing = client->Put("a", "b");
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound) << missing;
  EXPECT_NE(missing.message().find("NoSuchBucket"), absl::string_view::npos) << missing;

  // Credentials the store does not know: refused, and the error says so.
  // (The local test store checks the key id; it does not check signatures
  // made with a wrong secret, so that case cannot be shown here.)
  S3Options wrong = options;
  wrong.endpoint = server_.endpoint();
  wrong.bucket = testing::S3Server::kBucket;
  wrong.access_key = "NOT-A-KEY";
  wrong.secret_key = "not-the-secret";
  auto forged = S3Client::Create(wrong);
  ASSERT_TRUE(forged.ok()) << forged.status();
  const absl::Status refused = (*forged)->Put("a", "b");
  EXPECT_EQ(refused.code(), absl::StatusCode::kPermissionDenied) << refused;
  EXPECT_NE(refused.message().find("InvalidAccessKeyId"), absl::string_view::npos) << refused;
  EXPECT_FALSE(Client()->Head("a").ok()) << "nothing was stored";

  S3Options no_scheme;
  no_scheme.endpoint = "127.0.0.1:9000";
  EXPECT_EQ(S3Client::Create(no_scheme).status().code(), absl::StatusCode::kInvalidArgument);

  // The store goes away: requests are retried, then fail as Unavailable.
  S3Options retrying;
  retrying.max_attempts = 3;
  auto down = Client(retrying);
  server_.Stop();
  const absl::Status unreachable = down->Put("a", "b");
  EXPECT_EQ(unreachable.code(), absl::StatusCode::kUnavailable) << unreachable;
  EXPECT_NE(unreachable.message().find("failed 3 times"), absl::string_view::npos) << unreachable;
  server_.Start();
  ASSERT_FALSE(server_.endpoint().empty()) << server_.output();
  EXPECT_TRUE(down->Put("a", "b").ok());
}

}  // namespace
}  // namespace mayak
