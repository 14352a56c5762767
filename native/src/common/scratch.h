// Per-thread scratch memory that grows and is then reused call after call, so the hot
// path does not allocate (freshly mapped multi-MB buffers cost page faults every call).
#pragma once
#include <cstdint>

namespace neurite {

// Separate buffers, so that an op's operand (held by the calling thread for the whole call)
// survives the per-task buffers that the same thread takes while it runs tasks of that op.
// The gradient slots hold a backward pass's rearranged operands while the forward kernels it
// runs on take the first two.
enum class ScratchSlot { kOperand = 0, kTask = 1, kGradientLeft = 2, kGradientRight = 3 };

// A 64-byte aligned buffer of at least `floats` floats, owned by the calling thread and
// valid until its next call for the same slot. Throws std::bad_alloc, which the C API turns
// into a status.
float *thread_scratch(int64_t floats, ScratchSlot slot = ScratchSlot::kOperand);

}  // namespace neurite
