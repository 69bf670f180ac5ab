package server

import (
	"net/http"
	"path"
	"slices"
	"strings"
)

// endpoint is one route of the server, registered on a ServeMux by handle.
type endpoint struct {
	// pattern is "METHOD /path" in ServeMux's syntax, wildcards included
	// ("POST /api/v1/accounts/{id}/holds"); GET also answers HEAD.
	pattern string
	// cors: other origins may call it. OPTIONS is then answered as a CORS preflight and listed
	// in Allow; without it OPTIONS is 405 like any other method.
	cors bool
	// headers are set on every answer of the route, 405s and preflights included.
	headers func(http.Header)
	// valid checks the path's wildcards before anything else, answering 404 itself when they
	// name nothing the route serves.
	valid func(http.ResponseWriter, *http.Request) bool
	serve http.HandlerFunc
}

// handle registers e on mux: the path pattern (without the method: a method-less pattern never
// conflicts with another route's wildcards, and the mux never answers 405 by itself), behind
// the one method gate.
func handle(mux *http.ServeMux, e endpoint) {
	method, p, ok := strings.Cut(e.pattern, " ")
	if !ok {
		panic("server: endpoint pattern without a method: " + e.pattern)
	}
	methods := []string{method}
	allow := method
	if method == http.MethodGet {
		methods = append(methods, http.MethodHead)
		allow = "GET, HEAD"
	}
	if e.cors {
		if method == http.MethodGet {
			allow += ", OPTIONS"
		} else {
			allow = "OPTIONS, " + allow
		}
	}
	mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
		if e.headers != nil {
			e.headers(w.Header())
		}
		if e.valid != nil && !e.valid(w, r) {
			return
		}
		if !gateMethod(w, r, allow, e.cors, methods...) {
			return
		}
		e.serve(w, r)
	})
}

// gateMethod is the one method gate: it lets the listed methods through; a CORS preflight
// (OPTIONS on a cors route) and any other method (405 with Allow) it answers itself, and then
// reports false.
func gateMethod(w http.ResponseWriter, r *http.Request, allow string, cors bool, methods ...string) bool {
	if slices.Contains(methods, r.Method) {
		return true
	}
	if cors && r.Method == http.MethodOptions {
		preflight(w, allow)
	} else {
		methodNotAllowed(w, r, allow)
	}
	return false
}

// routable reports whether ServeMux can route the request without answering by itself: it
// redirects a path that is not clean (//, /./, /../) and sends CONNECT's authority-form
// targets nowhere. No path of ours is like that: such requests get the 404 their prefix gets.
func routable(r *http.Request) bool {
	p := r.URL.EscapedPath()
	if p == "" || p[0] != '/' || r.Method == http.MethodConnect {
		return false
	}
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c == p
}
