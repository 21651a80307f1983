// Syslog messages: every input is a record or an error that names a byte
// inside the message, never a crash; a record's level is one of the six.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status_macros.h"
#include "fuzz_check.h"
#include "syslog/syslog_message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view message(reinterpret_cast<const char*>(data), size);
  auto record = mayak::ParseSyslogMessage(message, 1'795'608'000'000'000'000);
  if (!record.ok()) {
    FUZZ_CHECK(mayak::StatusMessage(record.status()).starts_with("syslog message, byte "),
               "an error that does not say where");
    return 0;
  }
  FUZZ_CHECK(record->level >= mayak::Level::kTrace && record->level <= mayak::Level::kFatal,
             "a level out of range");
  FUZZ_CHECK(record->message.size() <= size, "a message longer than the input");
  return 0;
}
