// Package jsonx is a small, strict JSON codec: a parser to a plain value tree
// (Parse), an append-style string writer (AppendString), a canonical writer
// for digests (AppendCanonical) and exact fixed-point decimals (ParseFixed,
// AppendFixed).
//
// It exists so that the estimator, which is compiled both natively and to
// WebAssembly for the browser, does not need encoding/json: that package
// (with reflect) adds about 116 KB brotli to the wasm module. jsonx imports
// only errors, strconv, strings, sort, sync, unicode/utf8 and math/bits, uses no
// floats and no reflection.
//
// Parse is stricter than RFC 8259 requires and than encoding/json: it
// rejects invalid UTF-8 anywhere in the input (including lone surrogates
// written as \u escapes), duplicate keys in an object (compared after
// unescaping), nesting deeper than a limit, inputs larger than a limit and
// documents with more values than a limit (counted as they are parsed: the
// value past the limit is refused before anything of it is built, so the
// tree and the parser's scratch never exceed the limit, however the input
// spends its bytes),
// besides every syntax error (leading zeros, control characters in strings,
// trailing data, ...). Every failure is an *Error carrying a stable code, the
// byte offset and the JSON path of the value being parsed. Parse never
// panics, whatever the input; it is not recursive, so deep input cannot
// exhaust the stack.
package jsonx
