// Internal to core/src/models: the shards of a pass shared among threads, for the models whose
// passes are plain C++ (layers, softmax; the fused kernel, compiled per instruction set under a
// target pragma, keeps its own copy of this loop in kernel.cpp).
#pragma once
#include <algorithm>
#include <atomic>
#include <system_error>
#include <thread>
#include <vector>

namespace mesaflow {

// run(s, scratch) for every shard s in [first, last): on the calling thread, or on up to `threads`
// threads (0: one per core) when there is work for more than one (at most `most` of them, and no
// more than the shards), each thread with its own scratch from make(). Each shard writes its own
// record, so which thread ran which shard changes no bit.
template <class Make, class Run>
void run_shards(int first, int last, int threads, int most, Make make, Run run) {
  int nthreads = 1;
#ifdef MESAFLOW_THREADS
  nthreads = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  nthreads = std::min({nthreads, last - first, std::max(1, most)});
#else
  (void)threads;
  (void)most;
#endif
  if (nthreads <= 1) {
    auto sc = make();
    for (int s = first; s < last; ++s) run(s, sc);
    return;
  }
#ifdef MESAFLOW_THREADS
  std::atomic<int> next{first};
  const auto work = [&] {
    auto sc = make();
    for (int s; (s = next.fetch_add(1)) < last;) run(s, sc);
  };
  std::vector<std::thread> pool;
  // A thread that cannot start (EAGAIN: no room for its stack under `ulimit -v`) leaves its
  // shards to the others; the calling thread takes part when none started.
  try {
    for (int t = 0; t < nthreads; ++t) pool.emplace_back(work);
  } catch (const std::system_error&) {
    if (pool.empty()) work();
  }
  for (auto& th : pool) th.join();
#endif
}

}  // namespace mesaflow
