// Validation shared by the C API entry points: every call checks pointers and sizes here
// before any kernel runs, and no exception crosses the C boundary.
#pragma once
#include <new>

#include "../common/status.h"

namespace neurite {

// A buffer the caller claims holds `have` floats, of which the call needs `need`.
inline int check_buffer(const char *op, const char *name, const void *data, int64_t have, int64_t need) {
    if (need < 0) return fail(NRT_INVALID_ARGUMENT, "%s: %s size overflows", op, name);
    if (data == nullptr) return fail(NRT_INVALID_ARGUMENT, "%s: %s is null", op, name);
    if (have < need)
        return fail(NRT_BUFFER_TOO_SMALL, "%s: %s holds %lld floats, needs %lld", op, name,
                    static_cast<long long>(have), static_cast<long long>(need));
    return NRT_OK;
}

// Runs body, turning an allocation failure into a status.
template <class F>
int guarded(const char *op, F body) {
    try {
        return body();
    } catch (const std::bad_alloc &) {
        return fail(NRT_OUT_OF_MEMORY, "%s: out of memory", op);
    }
}

#define NRT_CHECK(expr)                       \
    do {                                      \
        const int nrt_status_ = (expr);       \
        if (nrt_status_ != NRT_OK) return nrt_status_; \
    } while (0)

}  // namespace neurite
