# Every dependency is a Debian package installed by scripts/bootstrap.
find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(absl REQUIRED)
find_package(simdjson REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(CLI11 REQUIRED)
find_package(fmt REQUIRED)
find_package(ZLIB REQUIRED)
find_package(CURL REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)
pkg_check_modules(ISAL REQUIRED IMPORTED_TARGET libisal)
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)
pkg_check_modules(GRPCPP REQUIRED IMPORTED_TARGET grpc++)
pkg_check_modules(RABBITMQ REQUIRED IMPORTED_TARGET librabbitmq)
# The binary allocates with jemalloc: ingest makes and frees millions of
# small strings a second, and glibc's malloc spent ~8% more CPU on them
# (docs/benchmarks.md). Sanitized builds keep the sanitizers' allocator.
if(NOT MAYAK_SANITIZE)
  pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)
endif()

add_library(mayak_deps INTERFACE)
target_compile_definitions(mayak_deps INTERFACE
  BOOST_ASIO_NO_DEPRECATED BOOST_BEAST_USE_STD_STRING_VIEW)
target_link_libraries(mayak_deps INTERFACE
  Threads::Threads Boost::headers
  absl::status absl::statusor absl::strings absl::str_format absl::time
  absl::flat_hash_map absl::synchronization absl::hash
  simdjson::simdjson yaml-cpp CLI11::CLI11 fmt::fmt ZLIB::ZLIB PkgConfig::ZSTD
  PkgConfig::XXHASH PkgConfig::ISAL PkgConfig::RE2 PkgConfig::GRPCPP PkgConfig::RABBITMQ CURL::libcurl OpenSSL::Crypto)
