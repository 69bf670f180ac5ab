package estimator

import "sort"

// An op is one operation of the contract: request JSON in, response JSON out. Every surface
// (Go callers, the wasm module, the HTTP server) goes through Do, so they cannot disagree.
type op func(c *RateCard, request []byte) ([]byte, *Error)

var ops = map[string]op{
	"quote": func(c *RateCard, request []byte) ([]byte, *Error) {
		s, err := decodeSpec(request)
		if err != nil {
			return nil, err
		}
		q, err := c.estimate(s)
		if err != nil {
			return nil, err
		}
		return q.AppendJSON(make([]byte, 0, 1024)), nil
	},
}

// registerOp adds an operation; called from init functions of the files that define them.
func registerOp(name string, f op) {
	if _, dup := ops[name]; dup {
		panic("estimator: op registered twice: " + name)
	}
	ops[name] = f
}

// Ops lists the names of the operations Do accepts, sorted.
func Ops() []string {
	names := make([]string, 0, len(ops))
	for name := range ops {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Do runs the operation op on a JSON request and returns its JSON response. The error is
// always an *Error (code unknown_op for an op that does not exist). Do never panics: an
// unexpected panic becomes an error with code "internal".
func (c *RateCard) Do(op string, request []byte) (response []byte, err error) {
	f, ok := ops[op]
	if !ok {
		return nil, newError(CodeUnknownOp, "", "unknown operation "+quoteShort(op))
	}
	defer func() {
		if r := recover(); r != nil {
			response, err = nil, newError(CodeInternal, "", "internal error")
		}
	}()
	out, e := f(c, request)
	if e != nil {
		return nil, e
	}
	return out, nil
}
