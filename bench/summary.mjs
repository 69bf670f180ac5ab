#!/usr/bin/env node
// Last step of `make bench`: the figures that compare two benches of the same run.
import { readFileSync } from 'node:fs';

const read = (f) => JSON.parse(readFileSync(new URL(`./out/${f}`, import.meta.url), 'utf8'));
const server = read('server-load.json');
const wasm = read('wasm-bench.json');
const http = server.httpQuoteRoundTripP50Micros;
const est = wasm.latency.estimateMicros;
console.log('summary');
console.log(`  HTTP quote round trip (p50, loopback, 1 connection)  ${http.toFixed(1)} µs`);
console.log(`  in-process wasm estimate() (median)                   ${est.toFixed(1)} µs`);
console.log(`  ratio HTTP ÷ wasm                                     ${(http / est).toFixed(2)}×`);

if (server.worstCases?.length) {
  const worst = {};
  for (const c of server.worstCases) worst[c.op] = Math.max(worst[c.op] ?? 0, c.timesAPlainQuote);
  console.log('  worst case ÷ plain quote (server CPU per request):     ' +
    Object.entries(worst).map(([op, r]) => `${op} ${r.toFixed(1)}×`).join(', '));
}
for (const f of server.floods ?? []) {
  console.log(`  normal quote under a flood of ${String(f.floodConns).padStart(3)} worst-case connections: p50 ${(f.normalP50Micros / 1000).toFixed(2)} ms, p99 ${(f.normalP99Micros / 1000).toFixed(2)} ms (${f.normalQuotesShed503} of ${f.normalQuotesAnswered + f.normalQuotesShed503} shed)`);
}
if (wasm.worstCases) {
  console.log('  worst case ÷ plain quote (wasm, callJSON):            ' +
    Object.entries(wasm.worstCases.worstPerOp).map(([op, r]) => `${op} ${r.toFixed(1)}×`).join(', ') +
    `; linear memory after them ${(wasm.worstCases.memoryBytesAfter / 2 ** 20).toFixed(1)} MiB`);
}
