// What the CPU can run, and the cap tests and users put on it. Built for baseline x86-64:
// this file decides whether AVX2 or AVX-512 code may run, so it must never contain any.
#include "cpu.h"

#include <cpuid.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "neurite.h"

namespace {

const char *const kIsaNames[] = {"ref", "avx2", "avx512"};
constexpr int kIsaCount = sizeof kIsaNames / sizeof kIsaNames[0];

// XCR0 bits the OS sets when it saves a register state on context switches: SSE and AVX
// (xmm, ymm), and for AVX-512 also the opmask, the upper halves of zmm0-15 and zmm16-31.
constexpr uint64_t kYmmState = 0x6, kZmmState = 0xE6;

uint64_t enabled_register_state() {
    uint32_t eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & bit_OSXSAVE)) return 0;
    uint32_t low, high;
    __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
    return (uint64_t{high} << 32) | low;
}

struct Detection {
    int isa = NRT_ISA_REF;
    // Why each ISA above `isa` is out of reach on this machine.
    const char *missing[kIsaCount] = {nullptr, nullptr, nullptr};
};

Detection detect() {
    Detection d;
    uint32_t eax = 0, ebx1 = 0, ecx1 = 0, edx = 0, ebx7 = 0, ecx7 = 0;
    __get_cpuid(1, &eax, &ebx1, &ecx1, &edx);
    if (__get_cpuid_max(0, nullptr) >= 7) __get_cpuid_count(7, 0, &eax, &ebx7, &ecx7, &edx);
    const uint64_t state = enabled_register_state();

    const bool avx2 = (ecx1 & bit_AVX) && (ecx1 & bit_FMA) && (ebx7 & bit_AVX2);
    const bool avx512 = (ebx7 & bit_AVX512F) && (ebx7 & bit_AVX512BW) && (ebx7 & bit_AVX512VL) && (ebx7 & bit_AVX512DQ);
    if (!avx2) d.missing[NRT_ISA_AVX2] = "the CPU lacks AVX2 or FMA";
    else if ((state & kYmmState) != kYmmState) d.missing[NRT_ISA_AVX2] = "the OS does not enable the YMM register state";
    if (d.missing[NRT_ISA_AVX2] != nullptr) d.missing[NRT_ISA_AVX512] = d.missing[NRT_ISA_AVX2];
    else if (!avx512) d.missing[NRT_ISA_AVX512] = "the CPU lacks one of AVX-512 F, BW, VL, DQ";
    else if ((state & kZmmState) != kZmmState) d.missing[NRT_ISA_AVX512] = "the OS does not enable the ZMM register state";
    while (d.isa + 1 < kIsaCount && d.missing[d.isa + 1] == nullptr) ++d.isa;
    return d;
}

std::string settings_error_text;

int cap_from_environment() {
    const char *env = std::getenv("NEURITE_MAX_ISA");
    if (env == nullptr || env[0] == '\0') return kIsaCount - 1;
    for (int isa = 0; isa < kIsaCount; ++isa)
        if (std::strcmp(env, kIsaNames[isa]) == 0) return isa;
    // A mistyped cap must not go unnoticed: the library says so at load, and
    // nrt_settings_error() reports it to the bindings, which refuse to start.
    settings_error_text = std::string("NEURITE_MAX_ISA='") + env + "' is not one of ref, avx2, avx512";
    std::fprintf(stderr, "neurite: %s; no cap applied\n", settings_error_text.c_str());
    return kIsaCount - 1;
}

const Detection detected = detect();
std::atomic<int> cap{cap_from_environment()};

}  // namespace

namespace neurite {

const char *isa_unavailable(int isa) {
    if (isa > detected.isa) return detected.missing[isa];
    if (isa > cap.load(std::memory_order_relaxed)) return "capped by NEURITE_MAX_ISA or nrt_set_max_isa";
    return nullptr;
}

}  // namespace neurite

extern "C" {
int nrt_detected_isa(void) { return detected.isa; }
void nrt_set_max_isa(int isa) { cap.store(isa < NRT_ISA_REF ? NRT_ISA_REF : isa > kIsaCount - 1 ? kIsaCount - 1 : isa); }
int nrt_max_isa(void) {
    const int c = cap.load(std::memory_order_relaxed);
    return c < detected.isa ? c : detected.isa;
}
const char *nrt_isa_name(int isa) { return isa >= 0 && isa < kIsaCount ? kIsaNames[isa] : nullptr; }
const char *nrt_settings_error(void) { return settings_error_text.empty() ? nullptr : settings_error_text.c_str(); }
int nrt_num_cores(void) {
    unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n);
}
}
