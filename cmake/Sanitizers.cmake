# The test build runs with ASan + UBSan: every test doubles as a memory and
# undefined-behaviour check. UBSan findings abort, so they fail the test.
if(MAYAK_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

# libFuzzer builds instrument everything for coverage; the fuzz targets add
# -fsanitize=fuzzer (which brings libFuzzer's main) at link time.
if(MAYAK_LIBFUZZER)
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
