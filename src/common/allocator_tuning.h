// The server's settings for glibc's malloc, made once at startup. The release
// binary allocates with jemalloc (docs/storage.md), where they change nothing;
// builds without it (the sanitized test build) rely on them.
#pragma once

namespace mayak {

// Keeps freed memory of up to tens of megabytes for reuse instead of handing
// it back to the kernel at once. A query decodes row groups into buffers of
// hundreds of kilobytes on threads of its own; with glibc's defaults each
// query's buffers came from fresh pages (mmap, or a heap grown again after a
// trim), and the page faults took nearly a third of a query's CPU. Returns whether
// the allocator took the settings (false on a C library without mallopt).
bool TuneAllocatorForServer();

}  // namespace mayak
