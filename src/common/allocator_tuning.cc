#include "common/allocator_tuning.h"

#include <cstdlib>  // defines __GLIBC__ on glibc

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace mayak {

bool TuneAllocatorForServer() {
#if defined(__GLIBC__)
  // Allocations below 32 MiB (glibc's largest mmap threshold on 64-bit)
  // come from the heap, and a heap gives back its free top only above
  // 64 MiB. Setting either turns off glibc's own adjusting of both.
  constexpr int kMmapThreshold = 32 << 20;
  constexpr int kTrimThreshold = 64 << 20;
  return mallopt(M_MMAP_THRESHOLD, kMmapThreshold) == 1 &&
         mallopt(M_TRIM_THRESHOLD, kTrimThreshold) == 1;
#else
  return false;
#endif
}

}  // namespace mayak
