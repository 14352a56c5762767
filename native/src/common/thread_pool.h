// Our own small pool: no OpenMP, so Java threads and kernel threads never fight over an
// OpenMP runtime, and the caller sizes the team per call.
#pragma once
#include <atomic>
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

// Runs body(member, members) once per member of a team, for work whose members wait for each
// other (a TeamBarrier per step of a recurrence): either `members` threads run at once, one
// member each, or - one thread asked for, or the pool busy with another caller - the caller
// alone runs body(0, 1) and must do all the work. Bodies split work by member index only.
void parallel_team(int num_threads, const std::function<void(int member, int members)> &body);

// A reusable barrier for the members of one parallel_team (at most kMaxMembers): every
// member's writes before wait() are visible to every member after it. Each member counts its
// arrivals in a cache line of its own and reads the others': one line moves per member and
// crossing, where a shared counter would bounce between all of them. Members spin (they are
// few and the waits short).
class TeamBarrier {
public:
    static constexpr int kMaxMembers = 64;

    explicit TeamBarrier(int members) : members_(members) {}
    void wait(int member);

private:
    struct alignas(64) Arrivals {
        std::atomic<uint64_t> count{0};
    };
    const int members_;
    Arrivals arrivals_[kMaxMembers];
};

}  // namespace neurite
