#include "elastic/metadata_store.h"

#include <random>

#include "common/json_writer.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "simdjson.h"

namespace mayak {
namespace {

constexpr MetadataKind kAllKinds[] = {
    MetadataKind::kIndexTemplate,  MetadataKind::kLegacyTemplate, MetadataKind::kIlmPolicy,
    MetadataKind::kIngestPipeline, MetadataKind::kIndex,          MetadataKind::kDataStream,
};

std::string_view FileName(MetadataKind kind) {
  switch (kind) {
    case MetadataKind::kIndexTemplate:
      return "index_templates.json";
    case MetadataKind::kLegacyTemplate:
      return "legacy_templates.json";
    case MetadataKind::kIlmPolicy:
      return "ilm_policies.json";
    case MetadataKind::kIngestPipeline:
      return "ingest_pipelines.json";
    case MetadataKind::kIndex:
      return "indices.json";
    case MetadataKind::kDataStream:
      return "data_streams.json";
  }
  return "other.json";
}

// `body` as compact JSON, when it is a JSON object.
absl::StatusOr<std::string> CompactObject(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (auto error = parser.parse(body.data(), body.size()).get_object().get(object)) {
    return absl::InvalidArgumentError(
        StrCat("the body must be a JSON object: ", simdjson::error_message(error)));
  }
  return simdjson::minify(object);
}

}  // namespace

std::string RandomBase64Url(size_t bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::random_device device;
  std::string out;
  uint32_t bits = 0;
  int have = 0;
  for (size_t i = 0; i < bytes; ++i) {
    bits = (bits << 8) | (device() & 0xff);
    have += 8;
    while (have >= 6) {
      have -= 6;
      out.push_back(kAlphabet[(bits >> have) & 63]);
    }
  }
  if (have > 0) out.push_back(kAlphabet[(bits << (6 - have)) & 63]);
  return out;
}

absl::StatusOr<std::unique_ptr<MetadataStore>> MetadataStore::Open(Env* env, std::string dir) {
  RETURN_IF_ERROR(env->CreateDirs(dir));
  std::unique_ptr<MetadataStore> store(new MetadataStore(env, std::move(dir)));
  RETURN_IF_ERROR(store->LoadClusterUuid());
  for (MetadataKind kind : kAllKinds) RETURN_IF_ERROR(store->Load(kind));
  return store;
}

absl::Status MetadataStore::LoadClusterUuid() {
  const std::string path = StrCat(dir_, "/cluster.json");
  auto text = env_->ReadFile(path);
  if (text.ok()) {
    simdjson::dom::parser parser;
    std::string_view uuid;
    if (parser.parse(*text)["cluster_uuid"].get_string().get(uuid) != simdjson::SUCCESS ||
        uuid.empty()) {
      return absl::DataLossError(
          StrCat(path, " has no cluster_uuid; move it away to start with a new one"));
    }
    cluster_uuid_ = std::string(uuid);
    return absl::OkStatus();
  }
  if (!absl::IsNotFound(text.status())) return text.status();
  cluster_uuid_ = RandomBase64Url(16);
  std::string out;
  JsonWriter(&out).BeginObject().Key("cluster_uuid").String(cluster_uuid_).EndObject();
  out.push_back('\n');
  return WriteFileAtomically(env_, path, out);
}

std::string MetadataStore::PathOf(MetadataKind kind) const {
  return StrCat(dir_, "/", FileName(kind));
}

absl::Status MetadataStore::Load(MetadataKind kind) {
  const std::string path = PathOf(kind);
  auto text = env_->ReadFile(path);
  if (!text.ok()) {
    if (absl::IsNotFound(text.status())) return absl::OkStatus();
    return text.status();
  }
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (auto error = parser.parse(*text).get_object().get(object)) {
    return absl::DataLossError(StrCat(path, " is not a JSON object (",
                                      simdjson::error_message(error),
                                      "); move it away to start without it"));
  }
  absl::MutexLock lock(&mu_);
  auto& bodies = bodies_[kind];
  for (const auto [name, body] : object) bodies[std::string(name)] = simdjson::minify(body);
  return absl::OkStatus();
}

absl::Status MetadataStore::Save(MetadataKind kind) {
  std::string out;
  JsonWriter json(&out);
  json.BeginObject();
  for (const auto& [name, body] : bodies_[kind]) json.Key(name).Raw(body);
  json.EndObject();
  out.push_back('\n');
  return WriteFileAtomically(env_, PathOf(kind), out);
}

std::optional<std::string> MetadataStore::Get(MetadataKind kind, std::string_view name) const {
  absl::MutexLock lock(&mu_);
  auto bodies = bodies_.find(kind);
  if (bodies == bodies_.end()) return std::nullopt;
  auto it = bodies->second.find(name);
  if (it == bodies->second.end()) return std::nullopt;
  return it->second;
}

std::vector<std::pair<std::string, std::string>> MetadataStore::Find(
    MetadataKind kind, std::string_view pattern) const {
  const std::vector<std::string_view> patterns = Split(pattern, ',', true);
  std::vector<std::pair<std::string, std::string>> found;
  absl::MutexLock lock(&mu_);
  auto bodies = bodies_.find(kind);
  if (bodies == bodies_.end()) return found;
  for (const auto& [name, body] : bodies->second) {
    for (std::string_view p : patterns) {
      if (WildcardMatch(StripWhitespace(p), name)) {
        found.emplace_back(name, body);
        break;
      }
    }
  }
  return found;
}

absl::Status MetadataStore::Put(MetadataKind kind, std::string_view name, std::string_view body) {
  auto compact = CompactObject(body);
  if (!compact.ok()) return compact.status();
  absl::MutexLock lock(&mu_);
  return Store(kind, name, *std::move(compact));
}

absl::StatusOr<bool> MetadataStore::PutIfAbsent(MetadataKind kind, std::string_view name,
                                                std::string_view body) {
  auto compact = CompactObject(body);
  if (!compact.ok()) return compact.status();
  absl::MutexLock lock(&mu_);
  const auto& bodies = bodies_[kind];
  if (bodies.find(name) != bodies.end()) return false;
  RETURN_IF_ERROR(Store(kind, name, *std::move(compact)));
  return true;
}

absl::Status MetadataStore::Store(MetadataKind kind, std::string_view name, std::string body) {
  auto& bodies = bodies_[kind];
  auto it = bodies.find(name);
  std::optional<std::string> before;
  if (it != bodies.end()) before = it->second;
  bodies[std::string(name)] = std::move(body);
  absl::Status saved = Save(kind);
  if (!saved.ok()) {  // what is not on disk is not kept
    if (before) {
      bodies[std::string(name)] = *std::move(before);
    } else {
      bodies.erase(std::string(name));
    }
  }
  return saved;
}

}  // namespace mayak
