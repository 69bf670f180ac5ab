package server

import (
	"net/http"
)

// Verification of a client's quote (POST /api/v1/quote/verify) is the estimator's "verify"
// operation (estimator/verify.go): the same strict decoding as every request, the same answer as
// the wasm module's verify(). The route is kept for clients of the first API.
func (s *Server) serveVerify(w http.ResponseWriter, r *http.Request) {
	s.do(w, r, "verify")
}
