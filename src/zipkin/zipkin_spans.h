// Zipkin v2 spans (the list that POST /api/v2/spans takes, what Zipkin
// libraries and brokers' tracing plugins send, in JSON or protobuf) into
// canonical spans:
//   traceId (16 or 32 hex digits; 16 is the low half), id, parentId
//     -> trace, span and parent ids (lowercase)
//   name -> name; kind CLIENT/SERVER/PRODUCER/CONSUMER -> kind
//   timestamp, duration (microseconds) -> start, duration
//   localEndpoint.serviceName -> service; its ipv4/ipv6, port -> resource
//     host.ip, host.port; remoteEndpoint -> peer.service,
//     network.peer.address, network.peer.port
//   tags -> attributes (strings); an "error" tag -> error status with its
//     value as the message
//   annotations -> events
// Zipkin's shared spans (a client and a server span with one id) stay two
// spans; trace/trace_store.h tells them apart when it reads a trace.
#pragma once

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "model/span.h"

namespace mayak {

// The whole list, or an error naming the first bad span by its index and
// the problem (Zipkin's server refuses a request as a whole, and so does
// this).
absl::StatusOr<std::vector<Span>> DecodeZipkinJson(std::string_view body);
// The same from protobuf (zipkin.proto3's ListOfSpans; ids as bytes, IP
// addresses as 4 or 16 bytes); a body that is not one names the byte.
absl::StatusOr<std::vector<Span>> DecodeZipkinProtobuf(std::string_view body);

}  // namespace mayak
