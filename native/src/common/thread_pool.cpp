#include "thread_pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <pthread.h>

#include "neurite.h"

namespace neurite {
namespace {

// How long an idle thread polls for the next job before it sleeps. Waking a sleeping
// thread costs several microseconds, as much as a whole batch-1 layer, while a model runs
// its layers back to back; past this the thread yields its core to the JVM.
constexpr auto kSpinTime = std::chrono::microseconds(100);

inline void cpu_relax() { __builtin_ia32_pause(); }

// About a microsecond of pause instructions.
constexpr int kPollsPerYield = 64;

// Lives for the whole process: workers are detached and never joined, so unloading at JVM
// exit cannot hang on a join.
//
// A worker joins a job only while it is open; the caller closes it once it has run out of
// chunks itself, then waits only for the workers that joined. A worker that is asleep or
// descheduled (a busy machine, more threads than cores) therefore never holds up a call it
// did not help with: the caller does the work alone instead of waiting for a wake-up.
//
// The work is cut into one contiguous range per thread, each handed out in a few chunks.
// Every participant takes chunks of its own range first (the caller range 0, worker i range
// i + 1), then helps with the others' remaining chunks. So a thread works on the same part of
// an op from call to call, and that part's weights stay in its core's cache (with all chunks
// first come first served, a batch-1 model's weights moved between the cores' L2 caches and
// its latency doubled), while a late worker's share still gets done.
class ThreadPool {
public:
    static constexpr int kMaxRanges = 64;

    // Returns false when another caller holds the pool; that caller's work is unaffected.
    bool try_run(int64_t count, int num_threads, const std::function<void(int64_t, int64_t)> &body) {
        std::unique_lock<std::mutex> owner(owner_, std::try_to_lock);
        if (!owner.owns_lock()) return false;
        ensure_workers(num_threads - 1);
        {
            // Workers read a job only under this lock, so each sees one whole job, and reports once for it.
            std::lock_guard<std::mutex> lock(mutex_);
            body_ = &body;
            ranges_ = std::min(num_threads, kMaxRanges);
            for (int r = 0; r < ranges_; ++r) {
                Range &range = range_[r];
                range.end = count * (r + 1) / ranges_;
                const int64_t begin = count * r / ranges_;
                range.chunk = std::max<int64_t>(1, (range.end - begin) / kChunksPerRange);
                range.next.store(begin, std::memory_order_relaxed);
            }
            helpers_wanted_ = num_threads - 1;
            helpers_done_.store(0, std::memory_order_relaxed);
            const uint64_t generation = generation_.load(std::memory_order_relaxed) + 1;
            state_.store(open_state(generation), std::memory_order_release);
            generation_.store(generation, std::memory_order_release);
        }
        wake_.notify_all();
        drain(0);
        const uint64_t joined = state_.fetch_or(kClosed, std::memory_order_acq_rel) & kJoinedMask;
        while (helpers_done_.load(std::memory_order_acquire) != static_cast<int>(joined)) cpu_relax();
        return true;
    }

private:
    // state_: the generation of the current job, a closed flag and the count of workers that joined it.
    static constexpr int kGenerationShift = 24;
    static constexpr uint64_t kClosed = uint64_t{1} << 23, kJoinedMask = kClosed - 1;
    static uint64_t open_state(uint64_t generation) { return generation << kGenerationShift; }

    // Joins job `generation` unless it is closed or already replaced by the next one.
    bool join(uint64_t generation) {
        uint64_t s = state_.load(std::memory_order_acquire);
        while ((s & ~kJoinedMask) == open_state(generation)) {  // this job, not closed
            if (state_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel)) return true;
        }
        return false;
    }

    // Runs the chunks left of the participant's own range, then of every other range.
    void drain(int participant) {
        for (int k = 0; k < ranges_; ++k) {
            Range &range = range_[(participant + k) % ranges_];
            for (;;) {
                const int64_t begin = range.next.fetch_add(range.chunk, std::memory_order_relaxed);
                if (begin >= range.end) break;
                (*body_)(begin, std::min(range.end, begin + range.chunk));
            }
        }
    }

    void ensure_workers(int wanted) {
        while (workers_ < wanted) {
            int index = workers_++;
            // A new worker must not mistake the last, finished job for a new one.
            uint64_t current = generation_.load(std::memory_order_acquire);
            std::thread([this, index, current] {
                // Named, so that top, jstack and tests tell the pool's threads from the JVM's (a new
                // thread would otherwise carry the name of the Java thread that made it).
                pthread_setname_np(pthread_self(), "neurite-worker");
                work(index, current);
            }).detach();
        }
    }

    void work(int index, uint64_t seen) {
        for (;;) {
            poll_for_job(seen);
            int wanted;
            {
                std::unique_lock<std::mutex> lock(mutex_);
                wake_.wait(lock, [&] { return generation_.load(std::memory_order_relaxed) != seen; });
                seen = generation_.load(std::memory_order_relaxed);
                wanted = helpers_wanted_;
            }
            if (index >= wanted || !join(seen)) continue;
            drain(index + 1);
            helpers_done_.fetch_add(1, std::memory_order_release);
        }
    }

    // Polls without sleeping for up to kSpinTime, then lets the caller sleep on the condition.
    // Offers the core to other threads every so often: when the OS puts a polling worker on
    // the caller's core, the caller then runs at once instead of sharing the core with it.
    void poll_for_job(uint64_t seen) const {
        const auto until = std::chrono::steady_clock::now() + kSpinTime;
        for (int polls = 1; generation_.load(std::memory_order_acquire) == seen; ++polls) {
            if (polls % kPollsPerYield == 0) {
                if (std::chrono::steady_clock::now() > until) return;
                std::this_thread::yield();
            }
            cpu_relax();
        }
    }

    std::mutex owner_;  // one caller's job at a time
    std::mutex mutex_;  // guards the job fields and the generation's changes
    std::condition_variable wake_;
    int workers_ = 0;
    const std::function<void(int64_t, int64_t)> *body_ = nullptr;
    // One thread's share of the job; a cache line each, as threads take their chunks at once.
    struct alignas(64) Range {
        std::atomic<int64_t> next{0};
        int64_t end = 0, chunk = 1;
    };
    // A few chunks per range balance uneven work without much hand-out traffic.
    static constexpr int64_t kChunksPerRange = 4;

    int ranges_ = 1;
    Range range_[kMaxRanges];
    int helpers_wanted_ = 0;
    std::atomic<int> helpers_done_{0};
    std::atomic<uint64_t> generation_{0};
    std::atomic<uint64_t> state_{kClosed};
};

ThreadPool &pool() {
    static ThreadPool *instance = new ThreadPool;
    return *instance;
}

}  // namespace

int resolve_threads(int num_threads) { return num_threads > 0 ? num_threads : nrt_num_cores(); }

void parallel_for(int64_t count, int num_threads, const std::function<void(int64_t, int64_t)> &body) {
    if (count <= 0) return;
    int threads = static_cast<int>(std::min<int64_t>(resolve_threads(num_threads), count));
    if (threads > 1 && pool().try_run(count, threads, body)) return;
    body(0, count);
}

void parallel_team(int num_threads, const std::function<void(int, int)> &body) {
    const int members = resolve_threads(num_threads);
    // One range per member: a member blocks in its body until the others arrive, so no thread
    // takes a second member while one is still open, and each member gets its own thread.
    if (members > 1 && members <= TeamBarrier::kMaxMembers && members <= ThreadPool::kMaxRanges && pool().try_run(members, members, [&](int64_t begin, int64_t end) {
            for (int64_t m = begin; m < end; ++m) body(static_cast<int>(m), members);
        }))
        return;
    body(0, 1);
}

void TeamBarrier::wait(int member) {
    const uint64_t crossing = arrivals_[member].count.load(std::memory_order_relaxed) + 1;
    arrivals_[member].count.store(crossing, std::memory_order_release);
    for (int other = 0; other < members_; ++other) {
        for (int spins = 1; arrivals_[other].count.load(std::memory_order_acquire) < crossing; ++spins) {
            cpu_relax();
            if (spins % 4096 == 0) std::this_thread::yield();  // more members than free cores: let the others run
        }
    }
}

void parallel_for_elements(int64_t size, int64_t grain, int num_threads,
                           const std::function<void(int64_t, int64_t)> &body) {
    const int64_t pieces = (size + grain - 1) / grain;
    parallel_for(pieces, num_threads, [&](int64_t begin, int64_t end) {
        body(begin * grain, std::min(size, end * grain));
    });
}

}  // namespace neurite
