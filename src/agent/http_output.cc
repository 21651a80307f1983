#include "agent/http_output.h"

#include <curl/curl.h>

#include <mutex>

#include "client/body_compression.h"
#include "common/strings.h"
#include "simdjson.h"

namespace mayak::agent {
namespace {

size_t AppendBody(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// The first bytes of a reply, for an error message.
std::string Excerpt(const std::string& body) {
  return body.size() <= 300 ? body : StrCat(body.substr(0, 300), "...");
}

absl::Status HttpError(int status, const std::string& target, const std::string& body) {
  const std::string what = StrCat(target, " answered ", status, ": ", Excerpt(body));
  if (status == 401 || status == 403) {
    return absl::PermissionDeniedError(
        StrCat(what, " (check output api_key or username/password)"));
  }
  if (status == 404) {
    return absl::NotFoundError(StrCat(what, " (is output.url the server's address?)"));
  }
  if (status == 413) {
    return absl::ResourceExhaustedError(
        StrCat(what, " (lower output.batch_bytes below the server's body limit)"));
  }
  return absl::UnavailableError(what);
}

}  // namespace

absl::StatusOr<std::unique_ptr<HttpOutput>> HttpOutput::Create(const OutputConfig& config) {
  static std::once_flag curl_initialized;
  std::call_once(curl_initialized, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<HttpOutput> output(new HttpOutput(config));
  output->curl_ = curl_easy_init();
  if (output->curl_ == nullptr) return absl::ResourceExhaustedError("cannot start libcurl");
  return output;
}

HttpOutput::HttpOutput(const OutputConfig& config)
    : config_(config),
      target_(config.kind == OutputConfig::Kind::kMayak ? StrCat(config.url, "/api/v1/logs")
                                                        : StrCat(config.url, "/_bulk")) {
  // Level 1: the fastest of either; log lines still shrink 10-15 times.
  switch (config.compression) {
    case OutputConfig::Compression::kZstd:
      compressor_ = std::make_unique<BodyCompressor>(BodyCompressor::Codec::kZstd, 1);
      break;
    case OutputConfig::Compression::kGzip:
      compressor_ = std::make_unique<BodyCompressor>(BodyCompressor::Codec::kGzip, 1);
      break;
    case OutputConfig::Compression::kNone:
      break;
  }
}

HttpOutput::~HttpOutput() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

absl::StatusOr<SendResult> HttpOutput::Send(const Batch& batch, const std::vector<size_t>* only) {
  std::vector<size_t> sent;
  std::string& subset = subset_;
  subset.clear();
  std::string_view body = batch.body;
  if (only != nullptr) {
    for (size_t i : *only) {
      subset.append(batch.Event(i));
      sent.push_back(i);
    }
    body = subset;
  } else {
    for (size_t i = 0; i < batch.events(); ++i) sent.push_back(i);
  }
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/x-ndjson");
  headers = curl_slist_append(headers, "Expect:");
  if (compressor_ != nullptr) {
    absl::StatusOr<std::string_view> compressed = compressor_->Compress(body);
    if (!compressed.ok()) {
      curl_slist_free_all(headers);
      return compressed.status();
    }
    body = *compressed;
    headers = curl_slist_append(
        headers, StrCat("Content-Encoding: ", compressor_->content_encoding()).c_str());
  }
  if (!config_.api_key.empty()) {
    headers = curl_slist_append(headers, StrCat("Authorization: ApiKey ", config_.api_key).c_str());
  }
  CURL* curl = static_cast<CURL*>(curl_);
  std::string reply;
  curl_easy_setopt(curl, CURLOPT_URL, target_.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(config_.timeout_ns / 1'000'000));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 10'000L);
  if (!config_.username.empty()) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, config_.username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, config_.password.c_str());
  }
  if (!config_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, config_.ca_file.c_str());
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, config_.verify_tls ? 1L : 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, config_.verify_tls ? 2L : 0L);
  const CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  if (rc != CURLE_OK) {
    return absl::UnavailableError(StrCat("cannot reach ", target_, ": ", curl_easy_strerror(rc)));
  }
  if (config_.kind == OutputConfig::Kind::kMayak) {
    return ParseMayakReply(static_cast<int>(status), reply, sent);
  }
  return ParseBulkReply(static_cast<int>(status), reply, sent);
}

absl::StatusOr<SendResult> HttpOutput::ParseMayakReply(int status, const std::string& body,
                                                       const std::vector<size_t>& sent) const {
  // 200 {"accepted":N,"rejected":M,"errors":[{"line":L,"reason":...}]}, or
  // 400 not_ndjson with the same lists when no line was taken.
  simdjson::dom::parser parser;
  simdjson::dom::element reply;
  const bool parsed = parser.parse(body).get(reply) == simdjson::SUCCESS;
  std::string_view code;
  if (status == 400 && parsed && reply["error"]["code"].get_string().get(code)) code = {};
  if (status != 200 && code != "not_ndjson") return HttpError(status, target_, body);
  SendResult result;
  simdjson::dom::array errors;
  if (parsed && reply["errors"].get_array().get(errors) == simdjson::SUCCESS) {
    for (simdjson::dom::element error : errors) {
      uint64_t line = 0;
      std::string_view reason;
      if (error["line"].get_uint64().get(line) != simdjson::SUCCESS || line == 0 ||
          line > sent.size()) {
        continue;
      }
      if (error["reason"].get_string().get(reason)) reason = "refused";
      result.rejected.push_back({sent[line - 1], std::string(reason)});
    }
  }
  uint64_t rejected = 0;
  if (parsed && reply["rejected"].get_uint64().get(rejected)) rejected = 0;
  // Past the listed errors the server only counts; the count is what matters.
  result.stored = sent.size() - std::max<size_t>(rejected, result.rejected.size());
  return result;
}

absl::StatusOr<SendResult> HttpOutput::ParseBulkReply(int status, const std::string& body,
                                                      const std::vector<size_t>& sent) const {
  if (status != 200) return HttpError(status, target_, body);
  simdjson::dom::parser parser;
  simdjson::dom::element reply;
  simdjson::dom::array items;
  if (parser.parse(body).get(reply) != simdjson::SUCCESS ||
      reply["items"].get_array().get(items) != simdjson::SUCCESS || items.size() != sent.size()) {
    return absl::UnavailableError(
        StrCat(target_, " gave a _bulk reply without one item per document: ", Excerpt(body)));
  }
  SendResult result;
  size_t i = 0;
  for (simdjson::dom::element item : items) {
    const size_t event = sent[i++];
    simdjson::dom::object action;
    int64_t item_status = 0;
    if (item.get_object().get(action) != simdjson::SUCCESS || action.size() != 1 ||
        (*action.begin()).value["status"].get_int64().get(item_status) != simdjson::SUCCESS) {
      result.retry.push_back(event);
      continue;
    }
    const simdjson::dom::element outcome = (*action.begin()).value;
    if (item_status / 100 == 2) {
      ++result.stored;
    } else if (item_status == 409) {
      ++result.stored;  // created before: a resend
      ++result.duplicates;
    } else if (item_status == 429 || item_status >= 500) {
      result.retry.push_back(event);
    } else {
      std::string_view type;
      std::string_view reason;
      if (outcome["error"]["type"].get_string().get(type)) type = "error";
      if (outcome["error"]["reason"].get_string().get(reason)) reason = {};
      result.rejected.push_back({event, StrCat(item_status, " ", type, ": ", reason)});
    }
  }
  return result;
}

}  // namespace mayak::agent
