package estimator_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/estimator"
)

func TestParseRequest(t *testing.T) {
	v, e := estimator.ParseRequest([]byte(` {"b":"x","a":{"c":null},"spec":{"resolution":"1080p","fps":30,"durationSeconds":10}} `))
	require.Nil(t, e)
	assert.Equal(t, "object", v.Kind())
	assert.Equal(t, []string{"b", "a", "spec"}, v.Keys(), "in the order written")
	b, ok := v.Get("b")
	require.True(t, ok)
	assert.Equal(t, "string", b.Kind())
	assert.Equal(t, "x", b.Str())
	assert.Equal(t, "b", b.Path())
	c, _ := v.Get("a")
	c, ok = c.Get("c")
	require.True(t, ok)
	assert.Equal(t, "null", c.Kind())
	assert.Equal(t, "a.c", c.Path())
	assert.Equal(t, "", c.Str())
	_, ok = v.Get("nope")
	assert.False(t, ok)
	sv, _ := v.Get("spec")
	spec, e := sv.Spec()
	require.Nil(t, e)
	assert.Equal(t, int64(30), spec.FPS)
	sv, _ = b.Get("x") // not an object
	_, e = sv.Spec()
	require.NotNil(t, e)
	assert.Equal(t, "b.x", e.Field)

	bad, _ := estimator.ParseRequest([]byte(`{"spec":{"resolution":"1080p","fps":"30","durationSeconds":10}}`))
	sv, _ = bad.Get("spec")
	_, e = sv.Spec()
	require.NotNil(t, e)
	assert.Equal(t, "spec.fps", e.Field)

	for _, c := range []struct{ in, code, field string }{
		{`{}xyz`, estimator.CodeInvalidJSON, ""},
		{`{}}}}`, estimator.CodeInvalidJSON, ""},
		{`{} {}`, estimator.CodeInvalidJSON, ""},
		{``, estimator.CodeInvalidJSON, ""},
		{`{"a":1,"a":2}`, estimator.CodeDuplicateField, "a"},
		{"{\"a\":\"\xff\"}", estimator.CodeInvalidUTF8, "a"},
		{`[` + strings.Repeat(`1,`, estimator.MaxRequestValues) + `1]`, estimator.CodeRequestTooLarge, "[1023]"}, // the first value past the bound
		{`"` + strings.Repeat("x", estimator.MaxRequestBytes) + `"`, estimator.CodeRequestTooLarge, ""},
	} {
		name := c.in
		if len(name) > 40 {
			name = name[:40] + "…"
		}
		_, e := estimator.ParseRequest([]byte(c.in))
		if assert.NotNil(t, e, name) {
			assert.Equal(t, c.code, e.Code, name)
			assert.Equal(t, c.field, e.Field, name)
		}
	}
}

// A front end that decodes a request of its own reads it with the engine's rules.
func ExampleParseRequest() {
	v, err := estimator.ParseRequest([]byte(`{"queue":"fast","spec":{"resolution":"4k","fps":60,"durationSeconds":10}}`))
	if err != nil {
		panic(err)
	}
	q, _ := v.Get("queue")
	s, _ := v.Get("spec")
	spec, _ := s.Spec()
	fmt.Println(v.Keys(), q.Str(), spec.Resolution, spec.FPS)

	_, err = estimator.ParseRequest([]byte(`{"queue":"fast"}xyz`))
	fmt.Println(err.Code, err.Field == "")
	// Output:
	// [queue spec] fast 4k 60
	// invalid_json true
}

func TestRequestValueInt(t *testing.T) {
	for doc, want := range map[string]int64{`{"n":0}`: 0, `{"n":7200}`: 7200, `{"n":-3}`: -3, `{"n":9223372036854775807}`: 9223372036854775807} {
		v, e := estimator.ParseRequest([]byte(doc))
		require.Nil(t, e)
		n, _ := v.Get("n")
		got, ok := n.Int()
		assert.True(t, ok, doc)
		assert.Equal(t, want, got, doc)
	}
	for _, doc := range []string{`{"n":1.5}`, `{"n":1e3}`, `{"n":1.0}`, `{"n":"5"}`, `{"n":null}`, `{"n":9223372036854775808}`, `{"n":-0.0}`} {
		v, e := estimator.ParseRequest([]byte(doc))
		require.Nil(t, e)
		n, _ := v.Get("n")
		_, ok := n.Int()
		assert.False(t, ok, doc)
	}
}
