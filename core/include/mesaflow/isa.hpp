// The instruction set the kernel runs with (core/src/kernel_isa.hpp: kernel.cpp compiled once per
// set; core/src/kernel_dispatch.cpp: the choice). Every set gives the same bits; only speed differs.
#pragma once

#include <string>
#include <vector>

#include "mesaflow/kernel.hpp"

namespace mesaflow {

// The kernel this process runs: the one named by the environment variable MESAFLOW_ISA when it
// is set (tests and benchmarks force a path with it), else the widest of this build's that the
// CPU runs. Chosen once, at first use. Throws std::invalid_argument naming MESAFLOW_ISA and the
// allowed values when it names a kernel this build lacks or this CPU cannot run.
const char* kernel_isa();
int kernel_scan_bytes();  // the bytes of one scan's vectors (a pack is 64: 8 doubles, 16 floats)

// This build's kernels, narrowest first, and those of them this CPU runs.
std::vector<std::string> kernel_isas_built();
std::vector<std::string> kernel_isas_supported();

// kernel.hpp's shard_sums() by the kernel of instruction set `isa` (tests hold every set against
// the others, in one process). False, and out untouched, where this build lacks it or this CPU
// cannot run it.
bool shard_sums_on(const std::string& isa, const Params& p, const Dataset& ds, Pass pass, int first_shard,
                   int last_shard, int threads, std::vector<double>& out);

// One line for --version: "kernel avx2 (32-byte vectors; built: sse2 avx2 avx512; this CPU runs:
// sse2 avx2 avx512)", or the MESAFLOW_ISA error.
std::string kernel_description();

}  // namespace mesaflow
