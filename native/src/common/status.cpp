#include "status.h"

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>

#include "neurite.h"

namespace neurite {
namespace {
thread_local std::string last_error_text;
thread_local const char *last_kernel_name = "";

std::atomic<int> &verbose_flag() {
    static std::atomic<int> flag{[] {
        const char *env = std::getenv("NEURITE_VERBOSE");
        return env != nullptr && env[0] != '\0' && env[0] != '0' ? 1 : 0;
    }()};
    return flag;
}
}  // namespace

int fail(int status, const char *format, ...) {
    char text[512];
    va_list args;
    va_start(args, format);
    std::vsnprintf(text, sizeof text, format, args);
    va_end(args);
    last_error_text = text;
    return status;
}

void record_kernel(const char *name) { last_kernel_name = name; }

bool verbose() { return verbose_flag().load(std::memory_order_relaxed) != 0; }

void log_verbose(const char *format, ...) {
    va_list args;
    va_start(args, format);
    std::fputs("neurite: ", stderr);
    std::vfprintf(stderr, format, args);
    std::fputc('\n', stderr);
    va_end(args);
}

int64_t checked_product(std::initializer_list<int64_t> factors) {
    int64_t product = 1;
    for (int64_t f : factors) {
        if (f < 0 || __builtin_mul_overflow(product, f, &product)) return -1;
    }
    return product;
}

}  // namespace neurite

extern "C" {
const char *nrt_last_error(void) { return neurite::last_error_text.c_str(); }
const char *nrt_last_kernel(void) { return neurite::last_kernel_name; }
void nrt_set_verbose(int on) { neurite::verbose_flag().store(on != 0); }
}
