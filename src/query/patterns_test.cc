#include "query/patterns.h"

#include "gtest/gtest.h"

namespace mayak {
namespace {

TEST(PatternsTest, MasksWhatVaries) {
  EXPECT_EQ(MessagePattern("GET /api/orders/10442 500 1200ms"),
            "GET /api/orders/<num> <num> <num>ms");
  EXPECT_EQ(MessagePattern("GET /api/orders/7 500 3ms"), "GET /api/orders/<num> <num> <num>ms");
  EXPECT_EQ(MessagePattern("user 'ann@example.com' not found"), "user '<str>' not found");
  EXPECT_EQ(MessagePattern("key \"a b\" missing"), "key \"<str>\" missing");
  EXPECT_EQ(MessagePattern("trace 4bf92f3577b34da6a3ce929d0e0e4736 done"), "trace <hex> done");
  EXPECT_EQ(MessagePattern("id 0x7ffd8498 freed"), "id <hex> freed");
  EXPECT_EQ(MessagePattern("job 123e4567-e89b-12d3-a456-426614174000 failed"), "job <uuid> failed");
  EXPECT_EQ(MessagePattern("from 10.0.3.7: refused"), "from <ip>: refused");
  EXPECT_EQ(MessagePattern("slow query took 3.25s."), "slow query took <num>s.");
  EXPECT_EQ(MessagePattern("user u17 logged in"), "user u<num> logged in");
  EXPECT_EQ(MessagePattern("  spaced \t out  "), "spaced out");
  EXPECT_EQ(MessagePattern("order=55 status=shipped"), "order=<num> status=shipped");
}

TEST(PatternsTest, KeepsWordsAndWhatIsNotAnId) {
  EXPECT_EQ(MessagePattern("Deadlock detected, retrying"), "Deadlock detected, retrying");
  EXPECT_EQ(MessagePattern("deadbeef cafe"), "deadbeef cafe") << "hex letters alone are words";
  EXPECT_EQ(MessagePattern("id 1234567890 ok"), "id <num> ok") << "digits alone are a number";
  EXPECT_EQ(MessagePattern("version 1.2.3.4.5"), "version <num>.<num>.<num>");
  EXPECT_EQ(MessagePattern("it's open"), "it's open") << "an unclosed quote stays";
  EXPECT_EQ(MessagePattern(""), "");
}

}  // namespace
}  // namespace mayak
