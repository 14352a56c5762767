// What the CPU and the OS let the kernels run, and the cap tests and users put on it.
#pragma once

namespace neurite {

// Why kernels of `isa` may not run now (the CPU lacks it, the OS does not save its
// registers, or the cap excludes it), or nullptr if they may.
const char *isa_unavailable(int isa);

}  // namespace neurite
