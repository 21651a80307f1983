// Which system a span belongs to (the unit of retention and size caps), as
// for logs: a `mayak.system` or `system` attribute (the span's, else its
// resource's; taken out of the attributes), else the service's name when it
// is a valid system name, else default.
#pragma once

#include "absl/status/status.h"
#include "model/span.h"

namespace mayak {

// Sets span->system; an error naming the value when an attribute names an
// invalid system.
absl::Status ChooseSpanSystem(Span* span);

}  // namespace mayak
