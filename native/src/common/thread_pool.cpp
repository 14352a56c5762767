#include "thread_pool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "neurite.h"

namespace neurite {
namespace {

// Lives for the whole process: workers are detached and never joined, so unloading at JVM
// exit cannot hang on a join.
class ThreadPool {
public:
    // Returns false when another caller holds the pool; that caller's work is unaffected.
    bool try_run(int64_t count, int num_threads, int64_t chunk,
                 const std::function<void(int64_t, int64_t)> &body) {
        std::unique_lock<std::mutex> owner(owner_, std::try_to_lock);
        if (!owner.owns_lock()) return false;
        ensure_workers(num_threads - 1);
        {
            std::lock_guard<std::mutex> lock(mutex_);
            body_ = &body;
            count_ = count;
            chunk_ = chunk;
            next_.store(0);
            helpers_wanted_ = num_threads - 1;
            helpers_done_ = 0;
            ++generation_;
        }
        wake_.notify_all();
        drain();
        std::unique_lock<std::mutex> lock(mutex_);
        done_.wait(lock, [&] { return helpers_done_ == helpers_wanted_; });
        body_ = nullptr;
        return true;
    }

private:
    void drain() {
        for (;;) {
            int64_t begin = next_.fetch_add(chunk_);
            if (begin >= count_) return;
            (*body_)(begin, std::min(count_, begin + chunk_));
        }
    }

    void ensure_workers(int wanted) {
        while (workers_ < wanted) {
            int index = workers_;
            uint64_t current;
            {
                std::lock_guard<std::mutex> lock(mutex_);
                current = generation_;
            }
            // A new worker must not mistake the last, finished job for a new one.
            std::thread([this, index, current] { work(index, current); }).detach();
            ++workers_;
        }
    }

    void work(int index, uint64_t seen) {
        std::unique_lock<std::mutex> lock(mutex_);
        for (;;) {
            wake_.wait(lock, [&] { return generation_ != seen; });
            seen = generation_;
            if (index >= helpers_wanted_) continue;
            lock.unlock();
            drain();
            lock.lock();
            if (++helpers_done_ == helpers_wanted_) done_.notify_one();
        }
    }

    std::mutex owner_;  // one caller's job at a time
    std::mutex mutex_;  // guards the job fields below
    std::condition_variable wake_, done_;
    int workers_ = 0;
    const std::function<void(int64_t, int64_t)> *body_ = nullptr;
    int64_t count_ = 0, chunk_ = 1;
    std::atomic<int64_t> next_{0};
    int helpers_wanted_ = 0, helpers_done_ = 0;
    uint64_t generation_ = 0;
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
    if (threads > 1) {
        // Several chunks per thread balance uneven rows without much hand-out traffic.
        int64_t chunk = std::max<int64_t>(1, count / (threads * 4));
        if (pool().try_run(count, threads, chunk, body)) return;
    }
    body(0, count);
}

}  // namespace neurite

namespace neurite {

void parallel_for_elements(int64_t size, int64_t grain, int num_threads,
                           const std::function<void(int64_t, int64_t)> &body) {
    const int64_t pieces = (size + grain - 1) / grain;
    parallel_for(pieces, num_threads, [&](int64_t begin, int64_t end) {
        body(begin * grain, std::min(size, end * grain));
    });
}

}  // namespace neurite
