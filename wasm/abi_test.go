//go:build js && wasm

package main

import (
	"testing"
	"unsafe"

	"github.com/creditestimator/creditestimator/estimator"
	"github.com/creditestimator/creditestimator/wasm/abi"
)

// The control block the module publishes has the layout package abi (and so the generated JS
// facts) describes.
func TestControlBlockLayoutMatchesABI(t *testing.T) {
	publish()
	if len(ctl) != abi.Words {
		t.Fatalf("ctl has %d words, abi.Words = %d", len(ctl), abi.Words)
	}
	if got := ctl[abi.RequestAddr]; got != uint32(uintptr(unsafe.Pointer(unsafe.SliceData(reqBuf)))) {
		t.Errorf("word %d is not the request buffer address", abi.RequestAddr)
	}
	if got := ctl[abi.RequestCap]; got != uint32(len(reqBuf)) {
		t.Errorf("word %d = %d, request capacity %d", abi.RequestCap, got, len(reqBuf))
	}
	if got := ctl[abi.ResponseAddr]; got != uint32(uintptr(unsafe.Pointer(unsafe.SliceData(respBuf)))) {
		t.Errorf("word %d is not the response buffer address", abi.ResponseAddr)
	}
	if got := ctl[abi.ResponseCap]; got != uint32(cap(respBuf)) {
		t.Errorf("word %d = %d, response capacity %d", abi.ResponseCap, got, cap(respBuf))
	}
	if got := ctl[abi.MaxRequestBytes]; got != estimator.MaxRequestBytes {
		t.Errorf("word %d = %d, MaxRequestBytes %d", abi.MaxRequestBytes, got, estimator.MaxRequestBytes)
	}
}
