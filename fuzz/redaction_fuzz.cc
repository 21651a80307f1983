// Redaction on arbitrary text: it must not crash, must be idempotent (what
// it leaves, a second pass leaves alone), and no Luhn-valid card number of
// 16 plain digits starting as cards do may survive it.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "pipeline/redaction.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto* redactor = mayak::Redactor::Create({}).value().release();
  std::string text(reinterpret_cast<const char*>(data), size);
  redactor->RedactText(&text);
  std::string again = text;
  FUZZ_CHECK(redactor->RedactText(&again) == 0 && again == text,
             "a second redaction changed the text");
  // A plain card number alone between spaces never survives.
  for (size_t i = 0; i + 16 <= text.size(); ++i) {
    const bool bounded =
        (i == 0 || text[i - 1] == ' ') && (i + 16 == text.size() || text[i + 16] == ' ');
    if (!bounded) continue;
    const std::string candidate = text.substr(i, 16);
    bool digits = candidate[0] >= '2' && candidate[0] <= '6';
    for (char c : candidate) digits = digits && c >= '0' && c <= '9';
    FUZZ_CHECK(!digits || !mayak::LuhnValid(candidate), "a card number survived");
  }
  return 0;
}
