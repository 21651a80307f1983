// A small stand-in for libFuzzer, so that every fuzz target also runs in the
// ordinary test build (g++, ASan + UBSan) without clang:
//
//   record_batch_fuzz [--runs N] [--seconds S] [--seed K] CORPUS...
//
// Each CORPUS (a file or a directory of files) is run once as it is, then N
// inputs made by mutating them: bit flips, interesting bytes, inserted,
// deleted and repeated ranges, splices of two inputs. The seed makes a run
// repeatable. If an input crashes the target, it is written to
// ./crash-<target>-<run> first and its path printed, so the failure can be
// replayed by passing that file alone. With clang, `make fuzz` links the same
// targets with real libFuzzer instead (fuzz/CMakeLists.txt).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#if __has_include(<sanitizer/common_interface_defs.h>)
#include <sanitizer/common_interface_defs.h>
#define MAYAK_HAVE_SANITIZER_CALLBACK 1
#endif

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

struct Options {
  uint64_t runs = 10000;
  double seconds = 30;
  uint64_t seed = 1;
  std::vector<std::string> corpus_paths;
};

// The input being run, kept so that a crash can save it.
std::string g_current_input;
std::string g_crash_path;

// Called as the process dies, from a signal handler too: only
// async-signal-safe calls.
void SaveCurrentInput() {
  const int fd = ::open(g_crash_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return;
  size_t written = 0;
  while (written < g_current_input.size()) {
    const ssize_t n =
        ::write(fd, g_current_input.data() + written, g_current_input.size() - written);
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  ::close(fd);
  static constexpr char kSaved[] = "fuzz: the input that failed is saved in ";
  (void)!::write(STDERR_FILENO, kSaved, sizeof(kSaved) - 1);
  (void)!::write(STDERR_FILENO, g_crash_path.data(), g_crash_path.size());
  (void)!::write(STDERR_FILENO, "\n", 1);
}

// FUZZ_CHECK, std::terminate and UBSan (made to abort below) end in abort().
void OnAbort(int signal) {
  SaveCurrentInput();
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

void RunOne(std::string_view input, const std::string& target, uint64_t run) {
  g_current_input.assign(input);
  g_crash_path = "crash-" + target + "-" + std::to_string(run);
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(g_current_input.data()),
                         g_current_input.size());
}

bool ParseArgs(int argc, char** argv, Options* options) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    if (arg == "--runs" || arg == "--seconds" || arg == "--seed") {
      const char* text = value();
      if (text == nullptr) {
        std::fprintf(stderr, "fuzz: %s needs a value\n", argv[i]);
        return false;
      }
      if (arg == "--runs") options->runs = std::strtoull(text, nullptr, 10);
      if (arg == "--seconds") options->seconds = std::strtod(text, nullptr);
      if (arg == "--seed") options->seed = std::strtoull(text, nullptr, 10);
    } else if (arg == "--help" || arg == "-h") {
      return false;
    } else {
      options->corpus_paths.emplace_back(arg);
    }
  }
  return true;
}

std::vector<std::string> ReadCorpus(const std::vector<std::string>& paths) {
  std::vector<std::string> corpus;
  auto read = [&](const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    corpus.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  };
  for (const std::string& path : paths) {
    if (std::filesystem::is_directory(path)) {
      std::vector<std::filesystem::path> files;
      for (const auto& entry : std::filesystem::directory_iterator(path)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());  // same order, same run
      for (const auto& file : files) read(file);
    } else if (std::filesystem::is_regular_file(path)) {
      read(path);
    } else {
      std::fprintf(stderr, "fuzz: corpus %s does not exist (skipped)\n", path.c_str());
    }
  }
  return corpus;
}

class Mutator {
 public:
  explicit Mutator(uint64_t seed) : random_(seed) {}

  std::string Mutate(const std::vector<std::string>& corpus) {
    std::string input = corpus.empty() ? std::string() : corpus[Below(corpus.size())];
    const size_t steps = 1 + Below(4);
    for (size_t i = 0; i < steps; ++i) MutateOnce(corpus, &input);
    return input;
  }

 private:
  size_t Below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(random_() % n); }

  void MutateOnce(const std::vector<std::string>& corpus, std::string* input) {
    // Bytes that often sit on a parser's edges.
    static constexpr char kInteresting[] = {'\0', '\xff', '\x7f', '\x80', '"',  '\\', '{', '}',
                                            '[',  ']',    ':',    ',',    '\n', ' ',  '0', '-'};
    switch (Below(input->empty() ? 2 : 7)) {
      case 0: {  // insert a few random or interesting bytes
        const size_t at = Below(input->size() + 1);
        const size_t count = 1 + Below(4);
        for (size_t i = 0; i < count; ++i) {
          const char byte = Below(2) == 0 ? static_cast<char>(Below(256))
                                          : kInteresting[Below(sizeof(kInteresting))];
          input->insert(input->begin() + static_cast<std::ptrdiff_t>(at), byte);
        }
        break;
      }
      case 1: {  // splice: the head of this input, the tail of another
        if (corpus.empty()) break;
        const std::string& other = corpus[Below(corpus.size())];
        const size_t from = Below(other.size() + 1);
        input->resize(Below(input->size() + 1));
        input->append(other, from);
        break;
      }
      case 2:  // flip a bit
      {
        char& byte = (*input)[Below(input->size())];
        byte = static_cast<char>(static_cast<uint8_t>(byte) ^ (1u << Below(8)));
        break;
      }
      case 3:  // overwrite a byte with an interesting one
        (*input)[Below(input->size())] = kInteresting[Below(sizeof(kInteresting))];
        break;
      case 4: {  // delete a range
        const size_t at = Below(input->size());
        input->erase(at, 1 + Below(std::min<size_t>(16, input->size() - at)));
        break;
      }
      case 5: {  // repeat a range
        const size_t at = Below(input->size());
        const size_t length = 1 + Below(std::min<size_t>(32, input->size() - at));
        const std::string range = input->substr(at, length);
        input->insert(Below(input->size() + 1), range);
        break;
      }
      default:  // cut the end off
        input->resize(Below(input->size()));
        break;
    }
  }

  std::mt19937_64 random_;
};

}  // namespace

// UBSan reports end the process without ASan's death callback; made to
// abort instead, they reach OnAbort, which saves the input.
// NOLINTNEXTLINE(bugprone-reserved-identifier): the name UBSan looks for
extern "C" const char* __ubsan_default_options() { return "abort_on_error=1:print_stacktrace=1"; }

int main(int argc, char** argv) {
  Options options;
  if (!ParseArgs(argc, argv, &options)) {
    std::fprintf(stderr,
                 "usage: %s [--runs N] [--seconds S] [--seed K] CORPUS...\n"
                 "Runs every input of the corpus (files or directories), then N mutated\n"
                 "inputs (default 10000), stopping after S seconds (default 30).\n",
                 argv[0]);
    return 2;
  }
  const std::string target = std::filesystem::path(argv[0]).filename().string();
#ifdef MAYAK_HAVE_SANITIZER_CALLBACK
  __sanitizer_set_death_callback(SaveCurrentInput);
#endif
  std::signal(SIGABRT, OnAbort);

  const std::vector<std::string> corpus = ReadCorpus(options.corpus_paths);
  for (size_t i = 0; i < corpus.size(); ++i) RunOne(corpus[i], target, i);

  Mutator mutator(options.seed);
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                            std::chrono::duration<double>(options.seconds));
  uint64_t runs = 0;
  while (runs < options.runs && std::chrono::steady_clock::now() < deadline) {
    RunOne(mutator.Mutate(corpus), target, corpus.size() + runs);
    ++runs;
  }
  std::fprintf(stderr,
               "fuzz: %s ran %zu corpus inputs and %llu mutations (seed %llu), no failure\n",
               target.c_str(), corpus.size(), static_cast<unsigned long long>(runs),
               static_cast<unsigned long long>(options.seed));
  return 0;
}
