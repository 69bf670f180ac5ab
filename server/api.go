package server

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/creditestimator/creditestimator/estimator"
)

// apiPOSTHeaders are set on every answer of the API's POST routes, 405s included.
func apiPOSTHeaders(h http.Header) {
	h["Access-Control-Allow-Origin"] = hvAnyOrigin
	h["Cache-Control"] = hvNoStore
}

// knownOp lets an operation of the estimator through; anything else under /api/v1/ is
// unknown_op, whatever the method.
func (s *Server) knownOp(w http.ResponseWriter, r *http.Request) bool {
	if s.ops[r.PathValue("op")] {
		return true
	}
	s.unknownOp(w, r)
	return false
}

// unknownOp answers an /api/ path that is no endpoint.
func (s *Server) unknownOp(w http.ResponseWriter, r *http.Request) {
	apiPOSTHeaders(w.Header())
	writeError(w, &estimator.Error{Code: estimator.CodeUnknownOp, Message: "no such API endpoint: " + r.URL.Path})
}

// serveOp answers POST /api/v1/{op}: the body goes to card.Do(op, body) unchanged and its answer
// (response JSON or error object) goes back unchanged.
func (s *Server) serveOp(w http.ResponseWriter, r *http.Request) {
	s.do(w, r, r.PathValue("op"))
}

func (s *Server) do(w http.ResponseWriter, r *http.Request, op string) {
	body, ok := readBody(w, r, s.maxBody, false)
	if !ok {
		return
	}
	defer putBuf(body)
	out, err := s.card.Do(op, *body)
	if err != nil {
		s.writeDoError(w, err, "")
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// readBody is the one body reader of every route: a JSON body (Content-Type application/json)
// of at most limit bytes, in a pooled buffer the caller gives back with putBuf. optional lets
// an empty body through without a Content-Type (settle, release, sign-up). On failure it has
// answered: 415, 413 (and the connection closed: the rest of a huge body is not read) or 400.
func readBody(w http.ResponseWriter, r *http.Request, limit int64, optional bool) (*[]byte, bool) {
	if !optional && !isJSON(r.Header.Get("Content-Type")) {
		unsupportedMediaType(w)
		return nil, false
	}
	if r.ContentLength > limit {
		tooLarge(w, limit)
		return nil, false
	}
	buf := getBuf()
	b, err := readLimited(r.Body, (*buf)[:0], limit)
	*buf = b
	if err != nil {
		putBuf(buf)
		if errors.Is(err, errTooLarge) {
			tooLarge(w, limit)
			return nil, false
		}
		// The client went away or was too slow (ReadTimeout): nothing useful can be answered,
		// but answer with the contract's shape in case the connection is still writable.
		w.Header().Set("Connection", "close")
		writeError(w, &estimator.Error{Code: estimator.CodeInvalidJSON, Message: "the request body could not be read"})
		return nil, false
	}
	if optional && len(bytes.TrimSpace(b)) > 0 && !isJSON(r.Header.Get("Content-Type")) {
		putBuf(buf)
		unsupportedMediaType(w)
		return nil, false
	}
	return buf, true
}

func unsupportedMediaType(w http.ResponseWriter) {
	writeError(w, &estimator.Error{Code: "unsupported_media_type", Message: "the request body must be JSON with Content-Type: application/json"})
}

func tooLarge(w http.ResponseWriter, limit int64) {
	w.Header().Set("Connection", "close") // do not read the rest of a huge body
	writeError(w, &estimator.Error{Code: estimator.CodeRequestTooLarge, Message: "the request body exceeds " + strconv.FormatInt(limit, 10) + " bytes"})
}

var errTooLarge = errors.New("request body too large")

// readLimited appends all of r to b, failing with errTooLarge past limit bytes.
func readLimited(r io.Reader, b []byte, limit int64) ([]byte, error) {
	for {
		if int64(len(b)) > limit {
			return b, errTooLarge
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			if int64(len(b)) > limit {
				return b, errTooLarge
			}
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

func getBuf() *[]byte { return bufPool.Get().(*[]byte) }

func putBuf(b *[]byte) {
	if cap(*b) <= 2*DefaultMaxBodyBytes {
		*b = (*b)[:0]
		bufPool.Put(b)
	}
}

// isJSON accepts application/json with optional parameters; a charset, if given, must be UTF-8.
func isJSON(ct string) bool {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return false
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return false
	}
	return true
}

// rateCardHeaders are set on every answer of /api/v1/ratecard: any origin may read the card.
func rateCardHeaders(h http.Header) {
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", "ETag")
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
}

// serveRateCard answers GET /api/v1/ratecard: the card's JSON with ETag = its digest.
func (s *Server) serveRateCard(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", s.cardETag)
	if etagMatch(r.Header.Get("If-None-Match"), s.cardETag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(s.cardJSON)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(s.cardJSON)
	}
}

// etagMatch implements If-None-Match's weak comparison against one strong ETag.
func etagMatch(header, etag string) bool {
	for header != "" {
		header = strings.TrimLeft(header, " \t,")
		if header == "" {
			break
		}
		if header[0] == '*' {
			return true
		}
		header = strings.TrimPrefix(header, "W/")
		if header == "" || header[0] != '"' {
			return false
		}
		end := strings.IndexByte(header[1:], '"')
		if end < 0 {
			return false
		}
		if header[:end+2] == etag {
			return true
		}
		header = header[end+2:]
	}
	return false
}

// serveHealth answers GET /healthz with the card in force, so a rollout can be watched; while the
// server drains it answers 503 {"status":"draining",...} so that load balancers stop sending.
func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	body, status := s.healthBody, http.StatusOK
	if s.draining.Load() {
		body, status = s.drainBody, http.StatusServiceUnavailable
	}
	if r.Method == http.MethodHead {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, body)
}

func preflight(w http.ResponseWriter, allow string) {
	h := w.Header()
	h.Set("Allow", allow)
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", allow)
	h.Set("Access-Control-Allow-Headers", "Content-Type, If-None-Match")
	h.Set("Access-Control-Max-Age", "86400")
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusNoContent)
}

func methodNotAllowed(w http.ResponseWriter, r *http.Request, allow string) {
	w.Header().Set("Allow", allow)
	writeError(w, &estimator.Error{Code: "method_not_allowed", Message: "method " + r.Method + " is not allowed here; allowed: " + allow})
}

// writeDoError answers an error from card.Do with its status and error object. A field prefix
// (e.g. "spec") is joined to the error's field.
func (s *Server) writeDoError(w http.ResponseWriter, err error, fieldPrefix string) {
	var e *estimator.Error
	if !errors.As(err, &e) {
		// Do promises *estimator.Error; anything else is a bug, not bad input.
		s.log.Error("estimator returned a non-contract error", "error", err.Error())
		writeError(w, &estimator.Error{Code: estimator.CodeInternal, Message: "internal error"})
		return
	}
	if fieldPrefix != "" {
		e2 := *e
		e2.Field = joinField(fieldPrefix, e.Field)
		e = &e2
	}
	writeError(w, e)
}

func joinField(prefix, field string) string {
	switch {
	case field == "":
		return prefix
	case field[0] == '[':
		return prefix + field
	}
	return prefix + "." + field
}

func writeJSON(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h["Content-Type"] = hvJSON
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
