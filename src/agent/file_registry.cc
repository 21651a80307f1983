#include "agent/file_registry.h"

#include <fstream>
#include <sstream>

#include "agent/file_fingerprint.h"
#include "common/json_writer.h"
#include "common/strings.h"
#include "common/timestamps.h"
#include "simdjson.h"
#include "storage/env.h"

namespace mayak::agent {
namespace {

absl::Status Damaged(const std::string& path, std::string_view why) {
  return absl::DataLossError(
      StrCat("the agent registry ", path, " is damaged (", why,
             "); move it away to start over: files are then read again from their start, and the "
             "server drops the events it already has if it still remembers their ids"));
}

}  // namespace

absl::StatusOr<std::unique_ptr<FileRegistry>> FileRegistry::Open(const std::string& dir) {
  std::unique_ptr<FileRegistry> registry(new FileRegistry(StrCat(dir, "/registry.json")));
  std::ifstream in(registry->path_);
  if (!in) return registry;  // first start
  std::stringstream text;
  text << in.rdbuf();
  const std::string json = text.str();
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json).get(root) != simdjson::SUCCESS) {
    return Damaged(registry->path_, "not JSON");
  }
  simdjson::dom::array files;
  if (root["files"].get_array().get(files) != simdjson::SUCCESS) {
    return Damaged(registry->path_, "no files list");
  }
  absl::MutexLock lock(&registry->mu_);
  for (simdjson::dom::element file : files) {
    std::string_view hex;
    std::string_view path;
    int64_t offset = 0;
    int64_t updated = 0;
    uint64_t fingerprint = 0;
    if (file["fingerprint"].get_string().get(hex) != simdjson::SUCCESS || hex.size() != 16 ||
        file["path"].get_string().get(path) != simdjson::SUCCESS ||
        file["offset"].get_int64().get(offset) != simdjson::SUCCESS || offset < 0 ||
        file["updated_ns"].get_int64().get(updated) != simdjson::SUCCESS) {
      return Damaged(registry->path_, "an entry lacks fingerprint, path, offset or updated_ns");
    }
    for (char c : hex) {
      const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (digit < 0) return Damaged(registry->path_, "a fingerprint is not hex");
      fingerprint = fingerprint << 4 | static_cast<uint64_t>(digit);
    }
    registry->entries_[fingerprint] = {std::string(path), offset, updated};
  }
  return registry;
}

std::optional<RegistryEntry> FileRegistry::Find(uint64_t fingerprint) const {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(fingerprint);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void FileRegistry::Advance(uint64_t fingerprint, const std::string& path, int64_t offset,
                           int64_t now_ns) {
  absl::MutexLock lock(&mu_);
  RegistryEntry& entry = entries_[fingerprint];
  if (offset < entry.offset) return;
  if (offset == entry.offset && entry.path == path && entry.updated_ns != 0) return;
  entry.path = path;
  entry.offset = offset;
  entry.updated_ns = now_ns;
  dirty_ = true;
}

std::vector<std::pair<uint64_t, RegistryEntry>> FileRegistry::Entries() const {
  absl::MutexLock lock(&mu_);
  return {entries_.begin(), entries_.end()};
}

size_t FileRegistry::size() const {
  absl::MutexLock lock(&mu_);
  return entries_.size();
}

absl::Status FileRegistry::Save() {
  absl::MutexLock save_lock(&save_mu_);
  std::string json;
  {
    absl::MutexLock lock(&mu_);
    if (!dirty_) return absl::OkStatus();
    JsonWriter writer(&json);
    writer.BeginObject().Key("version").Int(1).Key("files").BeginArray();
    for (const auto& [fingerprint, entry] : entries_) {
      writer.BeginObject();
      writer.Key("fingerprint").String(FingerprintHex(fingerprint));
      writer.Key("path").String(entry.path);
      writer.Key("offset").Int(entry.offset);
      writer.Key("updated_ns").Int(entry.updated_ns);
      writer.Key("updated").String(FormatRfc3339Millis(entry.updated_ns));
      writer.EndObject();
    }
    writer.EndArray().EndObject();
    json.push_back('\n');
    dirty_ = false;
  }
  if (absl::Status saved = WriteFileAtomically(Env::Default(), path_, json); !saved.ok()) {
    absl::MutexLock lock(&mu_);
    dirty_ = true;  // try again at the next save
    return absl::Status(saved.code(), StrCat("cannot save the agent registry: ", saved.message()));
  }
  return absl::OkStatus();
}

}  // namespace mayak::agent
