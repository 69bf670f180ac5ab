package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/estimator"
)

type verifyAnswer struct {
	Valid   bool `json:"valid"`
	Reasons []struct {
		Code     string          `json:"code"`
		Field    string          `json:"field"`
		Expected json.RawMessage `json:"expected"`
		Got      json.RawMessage `json:"got"`
	} `json:"reasons"`
	Quote json.RawMessage `json:"quote"`
}

func serverQuote(t *testing.T) []byte {
	t.Helper()
	q, err := estimator.Default().Do("quote", []byte(validSpec))
	require.NoError(t, err)
	return q
}

// replaceMember rewrites the first `"name":value` (string or number value) in a quote.
func replaceMember(t *testing.T, q []byte, name, value string) []byte {
	t.Helper()
	re := regexp.MustCompile(`"` + regexp.QuoteMeta(name) + `":("[^"]*"|-?[0-9.]+)`)
	require.True(t, re.Match(q), "quote has no member %s: %s", name, q)
	done := false
	return re.ReplaceAllFunc(q, func(m []byte) []byte {
		if done {
			return m
		}
		done = true
		return []byte(`"` + name + `":` + value)
	})
}

func TestVerify(t *testing.T) {
	f := newFixture(t)
	card := estimator.Default()
	q := serverQuote(t)
	verify := func(spec string, quote []byte) (*http.Response, verifyAnswer, []byte) {
		resp, body := f.post(t, "/api/v1/quote/verify", `{"spec":`+spec+`,"quote":`+string(quote)+`}`)
		var a verifyAnswer
		if resp.StatusCode == http.StatusOK {
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.DisallowUnknownFields()
			require.NoError(t, dec.Decode(&a), "%s", body)
		}
		return resp, a, body
	}

	t.Run("exact quote is valid", func(t *testing.T) {
		resp, a, body := verify(validSpec, q)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, `{"valid":true}`, string(body))
		assert.True(t, a.Valid)
		assert.Equal(t, "*", resp.Header.Get("Access-Control-Allow-Origin"))
		assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
		assertSecurityHeaders(t, resp.Header)
	})
	t.Run("reformatted quote is valid", func(t *testing.T) {
		var ind bytes.Buffer
		require.NoError(t, json.Indent(&ind, q, "", "  "))
		_, a, _ := verify(validSpec, ind.Bytes())
		assert.True(t, a.Valid)
		// Members in another order and strings with escapes still compare by value.
		var m map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(q, &m))
		reordered, err := json.Marshal(m) // sorted keys
		require.NoError(t, err)
		escaped := regexp.MustCompile(`"credits":"([0-9]+)\.([0-9]+)"`).ReplaceAll(reordered, []byte(`"credits":"${1}\u002e${2}"`))
		require.NotEqual(t, reordered, escaped)
		_, a, _ = verify(validSpec, escaped)
		assert.True(t, a.Valid)
	})
	t.Run("descriptive members do not change the verdict", func(t *testing.T) {
		changed := replaceMember(t, q, "min", `"0.01"`)
		require.NotEqual(t, q, changed)
		_, a, _ := verify(validSpec, changed)
		assert.True(t, a.Valid)
	})

	cases := []struct {
		name, member, value string
		code, field         string
	}{
		{"credits", "credits", `"0.01"`, "amount_differs", "credits"},
		{"unit credits", "unitCredits", `"999.99"`, "amount_differs", "unitCredits"},
		{"count", "count", `7`, "quantity_differs", "count"},
		{"billed seconds", "billedSeconds", `"1"`, "quantity_differs", "billedSeconds"},
		{"card version", "version", `"1999-01-01"`, "card_version_differs", "rateCard.version"},
		{"card digest", "digest", `"sha256:` + strings.Repeat("0", 64) + `"`, "card_digest_differs", "rateCard.digest"},
	}
	for _, c := range cases {
		t.Run(c.name+" differs", func(t *testing.T) {
			changed := replaceMember(t, q, c.member, c.value)
			resp, a, body := verify(validSpec, changed)
			require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
			assert.False(t, a.Valid)
			require.Len(t, a.Reasons, 1, "%s", body)
			r := a.Reasons[0]
			assert.Equal(t, c.code, r.Code)
			assert.Equal(t, c.field, r.Field)
			assert.JSONEq(t, c.value, string(r.Got))
			assert.NotEqual(t, c.value, string(r.Expected))
			assert.Equal(t, string(q), string(a.Quote), "the answer carries the server's quote")
		})
	}

	t.Run("another card's quote", func(t *testing.T) {
		changed := replaceMember(t, q, "version", `"old"`)
		changed = replaceMember(t, changed, "digest", `"sha256:`+strings.Repeat("a", 64)+`"`)
		changed = replaceMember(t, changed, "credits", `"1.00"`)
		_, a, _ := verify(validSpec, changed)
		require.False(t, a.Valid)
		var codes []string
		for _, r := range a.Reasons {
			codes = append(codes, r.Code+":"+r.Field)
		}
		assert.Equal(t, []string{"card_version_differs:rateCard.version", "card_digest_differs:rateCard.digest", "amount_differs:credits"}, codes)
		assert.JSONEq(t, jsonString(card.Version()), string(a.Reasons[0].Expected))
	})
	t.Run("empty quote object", func(t *testing.T) {
		_, a, _ := verify(validSpec, []byte(`{}`))
		require.False(t, a.Valid)
		require.Len(t, a.Reasons, len(estimator.ChargeMembers()))
		for _, r := range a.Reasons {
			assert.Equal(t, "null", string(r.Got))
		}
	})
	t.Run("quote for another spec", func(t *testing.T) {
		other := strings.Replace(validSpec, `"count":2`, `"count":3`, 1)
		_, a, _ := verify(other, q)
		require.False(t, a.Valid)
		var fields []string
		for _, r := range a.Reasons {
			fields = append(fields, r.Field)
		}
		assert.Contains(t, fields, "count")
		assert.Contains(t, fields, "credits")
	})

	bad := []struct {
		name, body, code, field string
	}{
		{"quote not an object", `{"spec":` + validSpec + `,"quote":[1]}`, "invalid_type", "quote"},
		{"quote a string", `{"spec":` + validSpec + `,"quote":"5.00"}`, "invalid_type", "quote"},
		{"missing spec", `{"quote":` + string(q) + `}`, "missing_field", "spec"},
		{"missing quote", `{"spec":` + validSpec + `}`, "missing_field", "quote"},
		{"unknown member", `{"spec":` + validSpec + `,"quote":{},"extra":1}`, "unknown_field", "extra"},
		{"duplicate spec", `{"spec":` + validSpec + `,"spec":` + validSpec + `,"quote":{}}`, "duplicate_field", "spec"},
		{"not an object", `[` + validSpec + `]`, "invalid_type", ""},
		{"truncated", `{"spec":` + validSpec, "invalid_json", ""},
		{"trailing data", `{"spec":` + validSpec + `,"quote":{}} {}`, "invalid_json", ""},
		{"empty", ``, "invalid_json", ""},
		// strict like every request: duplicates, invalid UTF-8 and depth anywhere, the quote included
		{"duplicate member in quote", `{"spec":` + validSpec + `,"quote":{"credits":"999.00","credits":"1.00"}}`, "duplicate_field", "quote.credits"},
		{"invalid UTF-8 in quote", `{"spec":` + validSpec + `,"quote":{"label":"caf` + "\xe9" + `"}}`, "invalid_utf8", "quote.label"},
		{"deep quote", `{"spec":` + validSpec + `,"quote":{"a":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}}`, "invalid_json", ""},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			resp, body := f.post(t, "/api/v1/quote/verify", c.body)
			assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "%s", body)
			e := decodeErr(t, body)
			assert.Equal(t, c.code, e.Code, "%s", body)
			if c.field != "" {
				assert.Equal(t, c.field, e.Field)
			}
		})
	}

	t.Run("invalid spec answers the estimator's error under spec", func(t *testing.T) {
		badSpec := strings.Replace(validSpec, `"fps":30`, `"fps":31`, 1)
		status, want := nativeAnswer(t, card, "quote", []byte(badSpec))
		require.NotEqual(t, http.StatusOK, status)
		var we errObj
		require.NoError(t, json.Unmarshal(want, &we))
		resp, body := f.post(t, "/api/v1/quote/verify", `{"spec":`+badSpec+`,"quote":`+string(q)+`}`)
		assert.Equal(t, status, resp.StatusCode)
		e := decodeErr(t, body)
		assert.Equal(t, we.Code, e.Code)
		assert.Equal(t, joinField("spec", we.Field), e.Field)
		assert.True(t, strings.HasPrefix(e.Field, "spec"))
	})
}

func TestJoinField(t *testing.T) {
	assert.Equal(t, "spec", joinField("spec", ""))
	assert.Equal(t, "spec.fps", joinField("spec", "fps"))
	assert.Equal(t, "spec[0]", joinField("spec", "[0]"))
}
