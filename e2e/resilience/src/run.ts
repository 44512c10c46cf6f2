// npm run test:resilience — the load and fault suites, one after another, each on its own
// processes and database; `--short` (what npm test runs) uses smaller sizes and shorter outages.
// Prints each scenario's figures, writes them to .bench/resilience.md, and exits 1 on any loss.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildServer, logScenario, ROOT } from './processes.ts';
import { crashScenario } from './scenarios/crash.ts';
import { loadScenario } from './scenarios/load.ts';
import { postgresScenario } from './scenarios/postgres.ts';
import { redisScenario } from './scenarios/redis.ts';
import { redisClusterScenario } from './scenarios/redis-cluster.ts';
import { workerKillScenario } from './scenarios/worker-kill.ts';
import type { ScenarioResult } from './setup.ts';

const short = process.argv.includes('--short');
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
const scenarios: Array<[string, (short: boolean) => Promise<ScenarioResult>]> = [
  ['load', loadScenario],
  ['crash', crashScenario],
  ['redis', redisScenario],
  ['redis-cluster', redisClusterScenario],
  ['worker', workerKillScenario],
  ['postgres', postgresScenario],
  ['postgres-crash', (short) => postgresScenario(short, 'crash')],
];
const log = (m: string) => console.log(`[resilience] ${m}`);

const started = Date.now();
log(`building the server; ${short ? 'short' : 'full'} run`);
buildServer();
const results: ScenarioResult[] = [];
for (const [name, run] of scenarios) {
  if (only && !only.includes(name)) continue;
  const t0 = Date.now();
  const logs = logScenario(name);
  log(`${name}…`);
  let r: ScenarioResult;
  try {
    r = await run(short);
  } catch (err) {
    r = { name, problems: [`did not complete: ${(err as Error).message}`], figures: {} };
  }
  results.push(r);
  log(
    `${name}: ${r.problems.length ? `FAILED — ${r.problems.join('; ')}; its processes' output is in ${path.relative(ROOT, logs)}/` : 'nothing lost'} (${((Date.now() - t0) / 1000).toFixed(0)} s)`,
  );
  for (const [k, v] of Object.entries(r.figures)) log(`    ${k}: ${v}`);
}
const failed = results.filter((r) => r.problems.length);
const summary = [
  `resilience (${short ? 'short' : 'full'}) — ${new Date().toISOString()} — ${os.cpus().length} cores, Node ${process.version}`,
  '',
  ...results.flatMap((r) => [
    `### ${r.name}: ${r.problems.length ? `FAILED (${r.problems.join('; ')})` : 'nothing lost'}`,
    '',
    ...Object.entries(r.figures).map(([k, v]) => `- ${k}: ${v}`),
    '',
  ]),
  `Total ${((Date.now() - started) / 1000).toFixed(0)} s.`,
].join('\n');
mkdirSync(path.join(ROOT, '.bench'), { recursive: true });
writeFileSync(path.join(ROOT, '.bench', `resilience${short ? '-short' : ''}.md`), `${summary}\n`);
mkdirSync(path.join(ROOT, '.test-results'), { recursive: true });
writeFileSync(
  path.join(ROOT, '.test-results', 'resilience.json'),
  JSON.stringify({ numPassedTests: results.length - failed.length, numFailedTests: failed.length }),
);
log(
  failed.length
    ? `${failed.length} scenario(s) lost something`
    : `every scenario: nothing lost (${((Date.now() - started) / 1000).toFixed(0)} s)`,
);
process.exit(failed.length ? 1 : 0);
