package jsonx

import "strconv"

// Kind is the type of a JSON value.
type Kind uint8

// The JSON value kinds.
const (
	Null Kind = iota
	Bool
	Number
	String
	Array
	Object
)

// String returns the JSON name of the kind: "null", "boolean", "number",
// "string", "array" or "object".
func (k Kind) String() string {
	switch k {
	case Null:
		return "null"
	case Bool:
		return "boolean"
	case Number:
		return "number"
	case String:
		return "string"
	case Array:
		return "array"
	case Object:
		return "object"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is a parsed JSON value. Only the fields that belong to Kind are set.
// Empty arrays and objects have nil Items / Members.
type Value struct {
	Kind    Kind
	Str     string   // String: decoded text; Number: the literal exactly as written
	Bool    bool     // Bool
	Items   []Value  // Array
	Members []Member // Object, in source order
}

// Member is one key/value pair of an object.
type Member struct {
	Key   string
	Value Value
}

// Get returns the value of the first member of object v with the given key.
// It reports false if v is not an object or has no such member.
func (v Value) Get(key string) (Value, bool) {
	if v.Kind != Object {
		return Value{}, false
	}
	for i := range v.Members {
		if v.Members[i].Key == key {
			return v.Members[i].Value, true
		}
	}
	return Value{}, false
}

// Error codes of *Error.
const (
	CodeInvalidJSON    = "invalid_json"
	CodeInvalidUTF8    = "invalid_utf8"
	CodeDuplicateField = "duplicate_field"
	CodeTooDeep        = "too_deep"
	CodeTooLarge       = "too_large"
	CodeTooManyValues  = "too_many_values"
)

// Error describes why Parse rejected its input.
type Error struct {
	Code   string // "invalid_json", "invalid_utf8", "duplicate_field", "too_deep", "too_large", "too_many_values"
	Offset int    // byte offset of the problem
	Path   string // path of the value being parsed, like `a.b[3].c`; "" at top level
	Reason string // short human text
}

// Error formats the error as "jsonx: <code> at offset N (path P): <reason>".
func (e *Error) Error() string {
	s := "jsonx: " + e.Code + " at offset " + strconv.Itoa(e.Offset)
	if e.Path != "" {
		s += " (path " + e.Path + ")"
	}
	return s + ": " + e.Reason
}
