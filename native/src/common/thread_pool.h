// Our own small pool: no OpenMP, so Java threads and kernel threads never fight over an
// OpenMP runtime, and the caller sizes the team per call.
#pragma once
#include <cstdint>
#include <functional>

namespace neurite {

// Runs body(begin, end) over [0, count) split into chunks on up to num_threads threads
// (the caller is one of them). Chunks are handed out dynamically, so kernels must make
// every output depend only on its own index, never on which thread computed it. A caller
// that finds the pool busy with another caller's work runs its chunks itself: concurrent
// callers stay correct and never deadlock.
void parallel_for(int64_t count, int num_threads, const std::function<void(int64_t, int64_t)> &body);

// num_threads <= 0 means all cores.
int resolve_threads(int num_threads);

}  // namespace neurite

namespace neurite {

// parallel_for over the elements [0, size) in pieces of `grain` elements, for
// element-wise work where single elements are far too small a unit.
void parallel_for_elements(int64_t size, int64_t grain, int num_threads,
                           const std::function<void(int64_t, int64_t)> &body);

}  // namespace neurite
