// How much each workload moves: the full run (minutes, figures worth reading) and --quick (the
// test suite's smoke run: every workload end to end on small sizes).

/** Sizes of one suite run. */
export interface SuiteSizes {
  /** Rounds of every workload on each broker; the table shows medians. */
  rounds: number;
  w1Records: number;
  w2Records: number;
  w3Records: number;
  /** W4 reads this many 1 KiB records back (2 GiB in the full run). */
  w4Records: number;
  w5Seconds: number;
  w5RecordsPerSec: number;
  /** Messages of W5's EndToEndLatency probe: one at a time, done well inside the w5Seconds of load. */
  w5ProbeMessages: number;
  w6Partitions: number;
  w6Records: number;
  w6DistinctKeys: number;
  loopbackSeconds: number;
  pageCacheBytes: number;
}

/** `make bench`: minutes per broker, sizes large enough to leave start-up effects behind. */
export const FULL: SuiteSizes = {
  rounds: 3,
  w1Records: 2_000_000,
  w2Records: 10_000_000,
  w3Records: 1_000_000,
  w4Records: 2_097_152,
  w5Seconds: 30,
  w5RecordsPerSec: 20_000,
  w5ProbeMessages: 1_500,
  w6Partitions: 1000,
  w6Records: 500_000,
  w6DistinctKeys: 10_000,
  loopbackSeconds: 5,
  pageCacheBytes: 4 * 2 ** 30,
};

/** --quick: seconds per workload, for the test suite. */
export const QUICK: SuiteSizes = {
  rounds: 1,
  w1Records: 20_000,
  w2Records: 50_000,
  w3Records: 20_000,
  w4Records: 50_000,
  w5Seconds: 3,
  w5RecordsPerSec: 20_000,
  w5ProbeMessages: 150,
  w6Partitions: 100,
  w6Records: 20_000,
  w6DistinctKeys: 1_000,
  loopbackSeconds: 1,
  pageCacheBytes: 256 * 2 ** 20,
};
