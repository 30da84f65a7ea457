// fasterbench-micro: the floors a report needs, measured on this machine with Google
// Benchmark (JSON via --benchmark_out=FILE --benchmark_out_format=json).
#include <benchmark/benchmark.h>

#include "framework/python/embedded_python.h"
#include "probes/clock.h"

int main(int argc, char** argv) {
  fb::probes::calibrate_clock();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  fb::python::finalize_python();
  return 0;
}
