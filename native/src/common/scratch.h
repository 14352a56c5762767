// Per-thread scratch memory that grows and is then reused call after call, so the hot
// path does not allocate (freshly mapped multi-MB buffers cost page faults every call).
#pragma once
#include <cstdint>

namespace neurite {

// A 64-byte aligned buffer of at least `floats` floats, owned by the calling thread and
// valid until its next call. Throws std::bad_alloc, which the C API turns into a status.
float *thread_scratch(int64_t floats);

}  // namespace neurite
