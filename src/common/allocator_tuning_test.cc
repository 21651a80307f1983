#include "common/allocator_tuning.h"

#include <cstdlib>

#include "gtest/gtest.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace mayak {
namespace {

#if defined(__GLIBC__)
// After tuning, a freed buffer of a few megabytes stays with the process
// for the next one: the heap's free memory grows instead of going back.
TEST(AllocatorTuning, LargeBuffersComeFromTheHeapAndStay) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer has an allocator of its own";
#endif
  ASSERT_TRUE(TuneAllocatorForServer());
  const size_t before = mallinfo2().hblkhd;  // bytes in mmapped blocks
  void* buffer = std::malloc(8 << 20);
  ASSERT_NE(buffer, nullptr);
  EXPECT_EQ(mallinfo2().hblkhd, before) << "an 8 MiB buffer was mmapped, not taken from the heap";
  std::free(buffer);
  EXPECT_GE(mallinfo2().fordblks, size_t{8} << 20) << "the freed buffer went back to the kernel";
}
#endif

}  // namespace
}  // namespace mayak
