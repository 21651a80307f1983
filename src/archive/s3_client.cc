#include "archive/s3_client.h"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "common/status_macros.h"
#include "common/strings.h"

namespace mayak {
namespace {

std::string Hex(const unsigned char* bytes, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 15]);
  }
  return out;
}

// The raw digest of `data` (EVP_md5 or EVP_sha256).
std::string Digest(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), out, &n, md, nullptr);
  return std::string(reinterpret_cast<const char*>(out), n);
}

std::string HexOf(std::string_view raw) {
  return Hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

// RFC 3986 encoding as SigV4 wants it; '/' kept in object keys.
std::string UriEncode(std::string_view s, bool keep_slash) {
  std::string out;
  for (char c : s) {
    if (IsAsciiAlnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
        (keep_slash && c == '/')) {
      out.push_back(c);
    } else {
      static constexpr char kDigits[] = "0123456789ABCDEF";
      const auto b = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kDigits[b >> 4]);
      out.push_back(kDigits[b & 15]);
    }
  }
  return out;
}

std::string XmlUnescape(std::string_view s) {
  std::string out(s);
  for (const auto& [from, to] : {std::pair<std::string_view, std::string_view>{"&quot;", "\""},
                                 {"&apos;", "'"},
                                 {"&lt;", "<"},
                                 {"&gt;", ">"},
                                 {"&amp;", "&"}}) {
    out = ReplaceAll(out, from, to);
  }
  return out;
}

// The contents of every <tag>...</tag> in `xml`, in order (S3's replies are
// flat enough for this).
std::vector<std::string_view> XmlValues(std::string_view xml, std::string_view tag) {
  std::vector<std::string_view> values;
  const std::string open = StrCat("<", tag, ">");
  const std::string close = StrCat("</", tag, ">");
  size_t pos = 0;
  while ((pos = xml.find(open, pos)) != std::string_view::npos) {
    const size_t start = pos + open.size();
    const size_t end = xml.find(close, start);
    if (end == std::string_view::npos) break;
    values.push_back(xml.substr(start, end - start));
    pos = end + close.size();
  }
  return values;
}

std::string XmlValue(std::string_view xml, std::string_view tag) {
  const auto values = XmlValues(xml, tag);
  return values.empty() ? std::string() : XmlUnescape(values[0]);
}

std::string Unquote(std::string_view etag) {
  etag = StripWhitespace(etag);
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return std::string(etag);
}

// Where a reply's body goes while curl receives it.
struct BodyTarget {
  CURL* curl = nullptr;
  std::string* body = nullptr;       // errors, and everything without a sink
  const S3BodySink* sink = nullptr;  // a 200 reply's body, when set
  absl::Status sink_error;
};

size_t ReceiveBody(char* data, size_t size, size_t n, void* target_ptr) {
  auto* target = static_cast<BodyTarget*>(target_ptr);
  long status = 0;
  curl_easy_getinfo(target->curl, CURLINFO_RESPONSE_CODE, &status);
  if (target->sink != nullptr && status == 200) {
    target->sink_error = target->sink->write(std::string_view(data, size * n));
    if (!target->sink_error.ok()) return 0;  // curl stops with CURLE_WRITE_ERROR
  } else {
    target->body->append(data, size * n);
  }
  return size * n;
}

size_t AddHeader(char* data, size_t size, size_t n, void* out) {
  const std::string_view line(data, size * n);
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    (*static_cast<std::map<std::string, std::string>*>(out))[ToLower(line.substr(0, colon))] =
        std::string(StripWhitespace(line.substr(colon + 1)));
  }
  return size * n;
}

}  // namespace

std::string Md5Hex(std::string_view data) { return HexOf(Digest(EVP_md5(), data)); }

struct Md5Stream::Context {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Context() { EVP_MD_CTX_free(ctx); }
};

Md5Stream::Md5Stream() : context_(std::make_unique<Context>()) { Reset(); }
Md5Stream::~Md5Stream() = default;
void Md5Stream::Reset() { EVP_DigestInit_ex(context_->ctx, EVP_md5(), nullptr); }
void Md5Stream::Update(std::string_view data) {
  EVP_DigestUpdate(context_->ctx, data.data(), data.size());
}
std::string Md5Stream::HexDigest() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(context_->ctx, out, &n);
  return Hex(out, n);
}

struct S3Client::Reply {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
};

absl::StatusOr<std::unique_ptr<S3Client>> S3Client::Create(const S3Options& options) {
  if (!options.endpoint.starts_with("http://") && !options.endpoint.starts_with("https://")) {
    return absl::InvalidArgumentError(
        StrCat("archive.s3.endpoint '", options.endpoint, "' must start with http:// or https://"));
  }
  if (options.bucket.empty()) return absl::InvalidArgumentError("archive.s3.bucket is empty");
  if (options.access_key.empty() || options.secret_key.empty()) {
    return absl::InvalidArgumentError(
        "archive.s3 needs access_key and secret_key (or MAYAK_ARCHIVE_S3_ACCESS_KEY and "
        "MAYAK_ARCHIVE_S3_SECRET_KEY)");
  }
  static std::once_flag curl_initialized;
  std::call_once(curl_initialized, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  S3Options normalized = options;
  while (normalized.endpoint.ends_with("/")) normalized.endpoint.pop_back();
  normalized.max_attempts = std::max(1, normalized.max_attempts);
  return std::unique_ptr<S3Client>(new S3Client(std::move(normalized)));
}

absl::StatusOr<S3Client::Reply> S3Client::Send(const std::string& method, const std::string& key,
                                               const std::string& query, std::string_view body,
                                               const S3BodySink* sink) const {
  std::string url = StrCat(options_.endpoint, "/", options_.bucket);
  if (!key.empty()) StrAppend(&url, "/", UriEncode(key, /*keep_slash=*/true));
  if (!query.empty()) StrAppend(&url, "?", query);
  const std::string payload_hash = HexOf(Digest(EVP_sha256(), body));
  const std::string sigv4 = StrCat("aws:amz:", options_.region, ":s3");
  const std::string credentials = StrCat(options_.access_key, ":", options_.secret_key);
  std::string last_error;
  int64_t backoff_ms = options_.first_backoff_ms;
  for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
    if (attempt > 1) {
      std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms));
      backoff_ms = std::min<int64_t>(backoff_ms * 2, 10'000);
    }
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return absl::ResourceExhaustedError("cannot start an HTTP request");
    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, StrCat("x-amz-content-sha256: ", payload_hash).c_str());
    headers = curl_slist_append(headers, "Expect:");
    Reply reply;
    if (sink != nullptr) {
      if (absl::Status s = sink->restart(); !s.ok()) {
        curl_slist_free_all(headers);
        curl_easy_cleanup(curl);
        return s;
      }
    }
    BodyTarget target{curl, &reply.body, sink, absl::OkStatus()};
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, sigv4.c_str());
    curl_easy_setopt(curl, CURLOPT_USERPWD, credentials.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout_ms));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 10'000L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, ReceiveBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &target);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, AddHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &reply.headers);
    if (method == "HEAD") {
      curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (method != "GET") {
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    }
    if (method == "PUT" || method == "POST") {
      headers = curl_slist_append(headers, "Content-Type: application/octet-stream");
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    const CURLcode rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    if (!target.sink_error.ok()) return target.sink_error;
    if (rc != CURLE_OK) {
      last_error = StrCat("cannot reach ", options_.endpoint, ": ", curl_easy_strerror(rc));
      continue;
    }
    if (reply.status >= 500 || reply.status == 429) {
      last_error = StrCat(method, " ", key, ": HTTP ", reply.status, " ",
                          XmlValue(reply.body, "Code"), " ", XmlValue(reply.body, "Message"));
      continue;
    }
    return reply;
  }
  return absl::UnavailableError(StrCat("S3 ", method, " ", options_.bucket, "/", key, " failed ",
                                       options_.max_attempts, " times; last: ", last_error));
}

namespace {

// The ETag AWS gives a multipart upload: the MD5 of its parts' raw MD5s,
// then the number of parts.
std::string MultipartEtag(std::string_view part_digests, size_t parts) {
  return StrCat(HexOf(Digest(EVP_md5(), part_digests)), "-", parts);
}

// The status of a reply that is not a success: S3's own code and message.
absl::Status ReplyError(std::string_view what, long status, const std::string& body) {
  const std::string message = StrCat("S3 ", what, ": HTTP ", status, " ", XmlValue(body, "Code"),
                                     ": ", XmlValue(body, "Message"));
  if (status == 404) return absl::NotFoundError(message);
  if (status == 403) return absl::PermissionDeniedError(message);
  return absl::FailedPreconditionError(message);
}

}  // namespace

std::string S3Client::ExpectedEtag(std::string_view data) const {
  if (data.size() <= options_.multipart_threshold) return HexOf(Digest(EVP_md5(), data));
  std::string part_digests;
  size_t parts = 0;
  for (size_t at = 0; at < data.size(); at += options_.part_size, ++parts) {
    part_digests += Digest(EVP_md5(), data.substr(at, options_.part_size));
  }
  return MultipartEtag(part_digests, parts);
}

absl::Status S3Client::Put(const std::string& key, std::string_view data) const {
  if (data.size() > options_.multipart_threshold) {
    auto md5 = PutMultipart(key, data.size(), [data](uint64_t offset, size_t n, std::string* out) {
      out->assign(data.substr(offset, n));
      return absl::OkStatus();
    });
    return md5.status();
  }
  auto reply = Send("PUT", key, "", data);
  if (!reply.ok()) return reply.status();
  if (reply->status != 200) return ReplyError(StrCat("PUT ", key), reply->status, reply->body);
  const std::string etag = Unquote(reply->headers["etag"]);
  if (etag != ExpectedEtag(data)) {
    return absl::DataLossError(
        StrCat("S3 PUT ", key, ": the store's ETag ", etag, " is not the MD5 of the bytes sent"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> S3Client::PutFile(const std::string& key,
                                              const RandomAccessFile& file) const {
  const uint64_t size = file.Size();
  if (size > options_.multipart_threshold) {
    return PutMultipart(key, size, [&file](uint64_t offset, size_t n, std::string* out) {
      return file.Read(offset, n, out);
    });
  }
  std::string data;
  RETURN_IF_ERROR(file.Read(0, size, &data));
  if (data.size() != size) {
    return absl::DataLossError(StrCat(file.path(), " changed size while being archived"));
  }
  RETURN_IF_ERROR(Put(key, data));
  return Md5Hex(data);
}

absl::StatusOr<std::string> S3Client::PutMultipart(const std::string& key, uint64_t size,
                                                   const PartReader& read) const {
  auto created = Send("POST", key, "uploads=", "");
  if (!created.ok()) return created.status();
  if (created->status != 200) {
    return ReplyError(StrCat("start multipart upload of ", key), created->status, created->body);
  }
  const std::string upload_id = XmlValue(created->body, "UploadId");
  const std::string id_query = StrCat("uploadId=", UriEncode(upload_id, false));
  const auto abort = [&](absl::Status status) {
    if (!Send("DELETE", key, id_query, "").ok()) {
      // The store expires abandoned uploads; nothing else to do.
    }
    return status;
  };
  std::string complete = "<CompleteMultipartUpload>";
  std::string part_digests;  // raw MD5s of the parts, for the ETag AWS gives
  Md5Stream whole;
  std::string bytes;  // one part at a time in memory
  int part = 0;
  for (uint64_t at = 0; at < size; at += options_.part_size) {
    ++part;
    const size_t n = static_cast<size_t>(std::min<uint64_t>(options_.part_size, size - at));
    if (absl::Status s = read(at, n, &bytes); !s.ok()) return abort(s);
    if (bytes.size() != n) {
      return abort(absl::DataLossError(StrCat("S3 upload of ", key, ": part ", part, " read ",
                                              bytes.size(), " bytes, not ", n)));
    }
    whole.Update(bytes);
    auto sent = Send("PUT", key, StrCat("partNumber=", part, "&", id_query), bytes);
    if (!sent.ok()) return abort(sent.status());
    if (sent->status != 200) {
      return abort(ReplyError(StrCat("upload part ", part, " of ", key), sent->status, sent->body));
    }
    const std::string digest = Digest(EVP_md5(), bytes);
    const std::string etag = Unquote(sent->headers["etag"]);
    if (etag != HexOf(digest)) {
      return abort(absl::DataLossError(
          StrCat("S3 upload of ", key, ": part ", part, "'s ETag is not the MD5 of its bytes")));
    }
    part_digests += digest;
    StrAppend(&complete, "<Part><PartNumber>", part, "</PartNumber><ETag>\"", etag,
              "\"</ETag></Part>");
  }
  complete += "</CompleteMultipartUpload>";
  auto done = Send("POST", key, id_query, complete);
  if (!done.ok()) return abort(done.status());
  // S3 may report an error inside a 200 reply to CompleteMultipartUpload.
  if (done->status != 200 || !XmlValue(done->body, "Code").empty()) {
    return abort(ReplyError(StrCat("complete upload of ", key), done->status, done->body));
  }
  // AWS and MinIO give MD5(part MD5s)-N; some compatible stores (s3rver)
  // the MD5 of the whole object. Either proves the store has the bytes sent.
  const std::string md5 = whole.HexDigest();
  const std::string etag = Unquote(XmlValue(done->body, "ETag"));
  if (etag != MultipartEtag(part_digests, static_cast<size_t>(part)) && etag != md5) {
    return absl::DataLossError(StrCat("S3 upload of ", key, ": the store's ETag ", etag,
                                      " does not match the parts sent"));
  }
  return md5;
}

absl::StatusOr<std::string> S3Client::Get(const std::string& key) const {
  auto reply = Send("GET", key, "", "");
  if (!reply.ok()) return reply.status();
  if (reply->status != 200) return ReplyError(StrCat("GET ", key), reply->status, reply->body);
  return std::move(reply->body);
}

absl::StatusOr<S3Download> S3Client::GetTo(const std::string& key, const S3BodySink& sink) const {
  S3Download download;
  Md5Stream md5;
  const S3BodySink counted{[&] {
                             download.size = 0;
                             md5.Reset();
                             return sink.restart();
                           },
                           [&](std::string_view piece) {
                             download.size += piece.size();
                             md5.Update(piece);
                             return sink.write(piece);
                           }};
  auto reply = Send("GET", key, "", "", &counted);
  if (!reply.ok()) return reply.status();
  if (reply->status != 200) return ReplyError(StrCat("GET ", key), reply->status, reply->body);
  download.md5 = md5.HexDigest();
  return download;
}

absl::StatusOr<S3Object> S3Client::Head(const std::string& key) const {
  auto reply = Send("HEAD", key, "", "");
  if (!reply.ok()) return reply.status();
  if (reply->status != 200) return ReplyError(StrCat("HEAD ", key), reply->status, reply->body);
  S3Object object;
  object.key = key;
  if (!ParseInt(reply->headers["content-length"], &object.size)) {
    return absl::DataLossError(StrCat("S3 HEAD ", key, ": no Content-Length"));
  }
  object.etag = Unquote(reply->headers["etag"]);
  return object;
}

absl::StatusOr<std::vector<S3Object>> S3Client::List(const std::string& prefix) const {
  std::vector<S3Object> objects;
  std::string token;
  for (;;) {
    // Parameters in sorted order, as SigV4's canonical query string has them.
    std::string query;
    if (!token.empty()) StrAppend(&query, "continuation-token=", UriEncode(token, false), "&");
    StrAppend(&query, "list-type=2&prefix=", UriEncode(prefix, false));
    auto reply = Send("GET", "", query, "");
    if (!reply.ok()) return reply.status();
    if (reply->status != 200) {
      return ReplyError(StrCat("list ", prefix), reply->status, reply->body);
    }
    for (std::string_view contents : XmlValues(reply->body, "Contents")) {
      S3Object object;
      object.key = XmlValue(contents, "Key");
      object.etag = Unquote(XmlValue(contents, "ETag"));
      if (!ParseInt(XmlValue(contents, "Size"), &object.size)) {
        return absl::DataLossError(StrCat("S3 list ", prefix, ": an object without a size"));
      }
      objects.push_back(std::move(object));
    }
    if (XmlValue(reply->body, "IsTruncated") != "true") break;
    token = XmlValue(reply->body, "NextContinuationToken");
    if (token.empty()) break;
  }
  return objects;
}

absl::Status S3Client::Delete(const std::string& key) const {
  auto reply = Send("DELETE", key, "", "");
  if (!reply.ok()) return reply.status();
  if (reply->status != 204 && reply->status != 200 && reply->status != 404) {
    return ReplyError(StrCat("DELETE ", key), reply->status, reply->body);
  }
  return absl::OkStatus();
}

}  // namespace mayak
