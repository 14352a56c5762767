#include "scratch.h"

#include <cstdlib>
#include <new>

namespace neurite {
namespace {
struct Scratch {
    float *data = nullptr;
    int64_t capacity = 0;
    ~Scratch() { std::free(data); }
};
thread_local Scratch slots[4];
}  // namespace

float *thread_scratch(int64_t floats, ScratchSlot slot) {
    Scratch &scratch = slots[static_cast<int>(slot)];
    if (floats > scratch.capacity) {
        std::free(scratch.data);
        scratch.data = nullptr;
        scratch.capacity = 0;
        const int64_t bytes = ((floats * 4 + 63) / 64) * 64;
        void *memory = std::aligned_alloc(64, static_cast<size_t>(bytes));
        if (memory == nullptr) throw std::bad_alloc();
        scratch.data = static_cast<float *>(memory);
        scratch.capacity = bytes / 4;
    }
    return scratch.data;
}

}  // namespace neurite
