// How hard the fuzz suite tries: FUZZ_RUNS samples per route (default 25, a few seconds in all)
// and FUZZ_SEED for fast-check (a failure prints the seed and path that reproduce it).
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 25);
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261201);
