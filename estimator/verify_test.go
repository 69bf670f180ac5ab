package estimator

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Fuzzing verify: any input is an error of the contract or a verdict; a verdict is valid JSON,
// and a client quote equal to the fresh one is always valid.
func FuzzVerifyRequest(f *testing.F) {
	c := Default()
	spec := `{"resolution":"1080p","fps":30,"durationSeconds":10,"prompt":"a calm lake","count":2}`
	q, err := c.Do("quote", []byte(spec))
	require.NoError(f, err)
	for _, s := range []string{
		`{"spec":` + spec + `,"quote":` + string(q) + `}`,
		`{"spec":` + spec + `,"quote":{"credits":"1.00","credits":"2.00"}}`,
		`{"spec":` + spec + `,"quote":{"rateCard":{"version":1,"digest":[]},"count":2.0}}`,
		`{"spec":` + spec + `,"quote":"x"}`, `{"spec":{},"quote":{}}`, `{}`, `[]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkOp(t, "verify", b)
		// the fresh quote of a spec always verifies
		s, derr := decodeSpec(b)
		if derr != nil {
			return
		}
		fresh, qerr := c.estimate(s)
		if qerr != nil {
			return
		}
		req := `{"spec":` + string(b) + `,"quote":` + string(fresh.AppendJSON(nil)) + `}`
		out, verr := ops["verify"](c, nil, []byte(req))
		if verr != nil {
			if verr.Code == CodeRequestTooLarge || verr.Code == CodePromptTooLong || verr.Code == CodeInvalidJSON {
				return // the wrapper made it too big or too deep
			}
			t.Fatalf("verify of a fresh quote: %v", verr)
		}
		if string(out) != `{"valid":true}` {
			t.Fatalf("a fresh quote does not verify: %s", out)
		}
	})
}

// The charge members are exactly the quote's members that change what a person pays: each is in
// every quote, and changing any other member keeps the quote valid.
func TestChargeMembersAreInEveryQuote(t *testing.T) {
	c := Default()
	q, err := c.Do("quote", []byte(`{"resolution":"4k","fps":60,"durationSeconds":7.5,"count":3}`))
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(q, &m))
	for _, cm := range ChargeMembers() {
		var cur any = m
		for _, k := range strings.Split(cm.Path, ".") {
			cur = cur.(map[string]any)[k]
		}
		require.NotNil(t, cur, cm.Path)
	}
}
