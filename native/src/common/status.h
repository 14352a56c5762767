// Error reporting and the per-thread record of what ran, shared by every op.
#pragma once
#include <cstdint>
#include <string>

namespace neurite {

// Records why a call failed (read back through nrt_last_error) and returns the code,
// so validation reads as `if (bad) return fail(NRT_INVALID_ARGUMENT, "...", ...)`.
int fail(int status, const char *format, ...) __attribute__((format(printf, 2, 3)));

void record_kernel(const char *name);
bool verbose();
void log_verbose(const char *format, ...) __attribute__((format(printf, 1, 2)));

// Checked product of non-negative sizes; returns -1 on overflow so that a hostile
// descriptor cannot wrap a size check around.
int64_t checked_product(std::initializer_list<int64_t> factors);

}  // namespace neurite
