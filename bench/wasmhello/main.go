// Command wasmhello is the size baseline for `make bench`: the smallest Go
// program, built for GOOS=js GOARCH=wasm with the module's flags, against
// which bench/wasm-bench.mjs compares the estimator module.
package main

func main() { println("hi") }
