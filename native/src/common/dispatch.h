// One ordered candidate list per op: fastest first, the portable reference last. A
// candidate declines a problem it does not handle with a reason, and the first that
// accepts runs. The verbose switch logs the choice and every reason.
#pragma once
#include <cstddef>

#include "cpu.h"
#include "neurite.h"
#include "status.h"

namespace neurite {

template <class Problem>
struct Kernel {
    const char *name;
    int isa;  // the least ISA the kernel needs
    // Returns nullptr to accept, or why it declines. nullptr here means "accepts anything".
    const char *(*declines)(const Problem &);
    void (*run)(const Problem &);
};

template <class Problem, std::size_t N>
const Kernel<Problem> &select_kernel(const Kernel<Problem> (&candidates)[N], const Problem &problem) {
    static_assert(N > 0, "a candidate list ends with its reference kernel");
    for (std::size_t i = 0; i + 1 < N; ++i) {
        const Kernel<Problem> &k = candidates[i];
        const char *reason = isa_unavailable(k.isa);
        if (reason == nullptr && k.declines != nullptr) reason = k.declines(problem);
        if (reason == nullptr) return k;
        if (verbose()) log_verbose("%s declined: %s", k.name, reason);
    }
    return candidates[N - 1];
}

template <class Problem, std::size_t N>
void run_selected(const Kernel<Problem> (&candidates)[N], const Problem &problem) {
    const Kernel<Problem> &k = select_kernel(candidates, problem);
    if (verbose()) log_verbose("%s runs", k.name);
    record_kernel(k.name);
    k.run(problem);
}

}  // namespace neurite
