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
