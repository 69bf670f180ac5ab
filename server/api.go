package server

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/creditestimator/creditestimator/estimator"
)

const (
	allowPOST = "OPTIONS, POST"
	allowGET  = "GET, HEAD, OPTIONS"
)

// serveOp answers POST /api/v1/{op}: the body goes to card.Do(op, body) unchanged and its answer
// (response JSON or error object) goes back unchanged.
func (s *Server) serveOp(w http.ResponseWriter, r *http.Request, op string) {
	body, ok := s.readPOST(w, r)
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

// readPOST applies the API's method, content type and size rules; on failure it has answered.
func (s *Server) readPOST(w http.ResponseWriter, r *http.Request) (*[]byte, bool) {
	h := w.Header()
	h["Access-Control-Allow-Origin"] = hvAnyOrigin
	h["Cache-Control"] = hvNoStore
	if !gateMethod(w, r, allowPOST, http.MethodPost) {
		return nil, false
	}
	if !isJSON(r.Header.Get("Content-Type")) {
		writeError(w, http.StatusUnsupportedMediaType, &estimator.Error{
			Code: "unsupported_media_type", Message: "the request body must be JSON with Content-Type: application/json"})
		return nil, false
	}
	if r.ContentLength > s.maxBody {
		s.tooLarge(w)
		return nil, false
	}
	buf := getBuf()
	b, err := readLimited(r.Body, (*buf)[:0], s.maxBody)
	*buf = b
	if err != nil {
		putBuf(buf)
		if errors.Is(err, errTooLarge) {
			s.tooLarge(w)
			return nil, false
		}
		// The client went away or was too slow (ReadTimeout): nothing useful can be answered,
		// but answer with the contract's shape in case the connection is still writable.
		w.Header().Set("Connection", "close")
		writeError(w, http.StatusBadRequest, &estimator.Error{Code: "invalid_json", Message: "the request body could not be read"})
		return nil, false
	}
	return buf, true
}

func (s *Server) tooLarge(w http.ResponseWriter) {
	w.Header().Set("Connection", "close") // do not read the rest of a huge body
	writeError(w, http.StatusRequestEntityTooLarge, &estimator.Error{
		Code:    "request_too_large",
		Message: "the request body exceeds " + strconv.FormatInt(s.maxBody, 10) + " bytes",
	})
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

// serveRateCard answers GET /api/v1/ratecard: the card's JSON with ETag = its digest.
func (s *Server) serveRateCard(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", "ETag")
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	if !gateMethod(w, r, allowGET, http.MethodGet, http.MethodHead) {
		return
	}
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
	if !gateMethod(w, r, allowGET, http.MethodGet, http.MethodHead) {
		return
	}
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

// gateMethod lets the listed methods through; it answers a CORS preflight (OPTIONS) and any
// other method (405 with Allow) itself and then reports false.
func gateMethod(w http.ResponseWriter, r *http.Request, allow string, methods ...string) bool {
	for _, m := range methods {
		if r.Method == m {
			return true
		}
	}
	if r.Method == http.MethodOptions {
		preflight(w, allow)
	} else {
		methodNotAllowed(w, r, allow)
	}
	return false
}

func methodNotAllowed(w http.ResponseWriter, r *http.Request, allow string) {
	w.Header().Set("Allow", allow)
	writeError(w, http.StatusMethodNotAllowed, &estimator.Error{
		Code: "method_not_allowed", Message: "method " + r.Method + " is not allowed here; allowed: " + allow})
}

// writeDoError answers an error from card.Do with its status and error object. A field prefix
// (e.g. "spec") is joined to the error's field.
func (s *Server) writeDoError(w http.ResponseWriter, err error, fieldPrefix string) {
	var e *estimator.Error
	if !errors.As(err, &e) {
		// Do promises *estimator.Error; anything else is a bug, not bad input.
		s.log.Error("estimator returned a non-contract error", "error", err.Error())
		writeError(w, http.StatusInternalServerError, &estimator.Error{Code: "internal", Message: "internal error"})
		return
	}
	if fieldPrefix != "" {
		e2 := *e
		e2.Field = joinField(fieldPrefix, e.Field)
		e = &e2
	}
	writeError(w, estimator.HTTPStatus(e.Code), e)
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

func writeError(w http.ResponseWriter, status int, e *estimator.Error) {
	b, err := e.MarshalJSON()
	if err != nil { // cannot happen for the contract's error type; keep the shape anyway
		b = []byte(`{"code":"internal","field":"","message":"internal error"}`)
		status = http.StatusInternalServerError
	}
	writeJSON(w, status, b)
}

func writeJSON(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h["Content-Type"] = hvJSON
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
