// The pattern of a message for `| patterns`: what stays the same between
// messages of one kind once the parts that vary are masked, so that a flood
// of one error collapses into one row and does not hide the others.
//
//   GET /api/orders/10442 500 1200ms        -> GET /api/orders/<num> <num> <num>ms
//   user 'ann@example.com' not found        -> user '<str>' not found
//   trace 4bf92f3577b34da6a3ce929d0e0e4736  -> trace <hex>
#pragma once

#include <string>
#include <string_view>

namespace mayak {

// Masks quoted strings ('...', "..."), IPv4 addresses (<ip>), UUIDs
// (<uuid>), hexadecimal ids (0x..., or 8 or more hex digits mixing decimal
// digits and letters: <hex>), and every other run of digits, with its
// decimals (<num>).
// Whitespace runs become one space.
std::string MessagePattern(std::string_view text);

}  // namespace mayak
