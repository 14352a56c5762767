// What the CPU can run, and the cap tests and users put on it. Built for baseline x86-64:
// this file decides whether AVX2 code may run, so it must never contain any.
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "neurite.h"

namespace {
int detect_isa() {
    __builtin_cpu_init();
    // GCC's check also requires the OS to save YMM state (XCR0), so a VM that hides AVX
    // state gets the scalar path instead of SIGILL.
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? NRT_ISA_AVX2 : NRT_ISA_REF;
}

int cap_from_environment() {
    const char *env = std::getenv("NEURITE_MAX_ISA");
    if (env == nullptr) return NRT_ISA_AVX2;
    if (std::strcmp(env, "ref") == 0) return NRT_ISA_REF;
    return NRT_ISA_AVX2;
}

const int detected = detect_isa();
std::atomic<int> cap{cap_from_environment()};
}  // namespace

extern "C" {
int nrt_detected_isa(void) { return detected; }
void nrt_set_max_isa(int isa) { cap.store(isa < NRT_ISA_REF ? NRT_ISA_REF : isa); }
int nrt_max_isa(void) {
    int c = cap.load(std::memory_order_relaxed);
    return c < detected ? c : detected;
}
int nrt_num_cores(void) {
    unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n);
}
}
