package estimator

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The fuzz targets call the op functions directly, not Do: Do turns a panic into an
// "internal" error, which would hide exactly what fuzzing looks for.

var economicsCodes = map[string]bool{
	CodeInvalidJSON: true, CodeInvalidUTF8: true, CodeUnknownField: true, CodeDuplicateField: true,
	CodeMissingField: true, CodeInvalidType: true, CodeInvalidValue: true, CodeOutOfRange: true,
	CodeUnsupportedResolution: true, CodeUnsupportedFPS: true, CodeUnsupportedMode: true,
	CodeUnsupportedComplexity: true, CodePromptTooLong: true, CodeRequestTooLarge: true,
	CodeUnknownPlan: true, CodeInvalidDate: true, CodeTooManyItems: true, CodeOverflow: true,
}

func checkOp(t *testing.T, op string, req []byte) {
	out, err := ops[op](Default(), nil, req)
	if err != nil {
		if !economicsCodes[err.Code] {
			t.Fatalf("%s %q: unexpected code %s", op, req, err.Code)
		}
		if !json.Valid(err.AppendJSON(nil)) {
			t.Fatalf("%s %q: error JSON invalid", op, req)
		}
		return
	}
	if !json.Valid(out) {
		t.Fatalf("%s %q: response is not JSON: %s", op, req, out)
	}
	if op == "roi" || op == "workflow" {
		return // savings and differences may be negative
	}
	var doc any
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("%s %q: %v", op, req, err)
	}
	if path := negativeString(doc, ""); path != "" {
		t.Fatalf("%s %q: negative amount at %s in %s", op, req, path, out)
	}
}

// negativeString returns the path of a string value that starts with "-" (a negative amount),
// or "". A verify reason's "got" is skipped: it echoes what the client sent, whatever it was.
func negativeString(v any, path string) string {
	switch x := v.(type) {
	case string:
		if strings.HasPrefix(x, "-") {
			return path
		}
	case []any:
		for i, e := range x {
			if p := negativeString(e, path+"["+strconv.Itoa(i)+"]"); p != "" {
				return p
			}
		}
	case map[string]any:
		for k, e := range x {
			if k == "got" && strings.Contains(path, "reasons[") {
				continue
			}
			if p := negativeString(e, path+"."+k); p != "" {
				return p
			}
		}
	}
	return ""
}

func seedEconomics(f *testing.F, op string) {
	for _, c := range economicsSeeds[op] {
		f.Add([]byte(c))
	}
}

var economicsSeeds = map[string][]string{
	"topup": {`{"need":"1234.56"}`, `{"need":"0"}`, `{"need":"1000000000000000"}`, `{"need":"9223372036854775807"}`, `{"need":"1e3"}`, `{}`},
	"plans": {`{"credits":"800"}`, `{"jobs":[{"spec":{"resolution":"4k","fps":60,"durationSeconds":10},"count":3}],"like":{"resolution":"720p","fps":30,"durationSeconds":5}}`, `{"credits":"1000000000000000"}`},
	"wallet": {`{"date":"2026-11-25","buckets":[{"kind":"monthly","credits":"500","granted":"2026-11-01"},{"kind":"topup","credits":"100","granted":"2026-06-01","expires":"2026-12-01"}],"jobs":[{"credits":"30"},{"spec":{"resolution":"4k","fps":60,"durationSeconds":10},"date":"2026-12-02"}]}`,
		`{"date":"9999-12-31","buckets":[{"kind":"topup","credits":"1","granted":"9999-12-31"}],"jobs":[{"credits":"2"}]}`},
	"workflow": {`{"final":{"resolution":"4k","fps":60,"durationSeconds":10},"prototypes":5,"refinements":2}`, `{"final":{"resolution":"720p","fps":24,"durationSeconds":1},"prototype":{"resolution":"2160p","fps":60,"durationSeconds":60},"pricePerCreditUsd":"0.06"}`},
	"spend": {`{"at":"2026-11-29T15:41:36.416522Z","credits":"60","buckets":[{"id":"bkt_a","kind":"priority","plan":"basic","credits":"50","granted":"2026-10-20","expires":"2026-11-30T00:00:00Z"},{"kind":"monthly","plan":"premium","credits":"100","granted":"2026-11-01T00:00:00Z"}]}`,
		`{"at":"9999-12-31T23:59:59.999999Z","spec":{"resolution":"4k","fps":60,"durationSeconds":10},"buckets":[{"kind":"trial","credits":"1","granted":"9999-12-31"}]}`},
	"roi": {`{"credits":"30","plan":"premium","videosPerMonth":4}`, `{"spec":{"resolution":"1080p","fps":30,"durationSeconds":30},"traditionalUsd":"8000","subscriptionUsd":"29"}`},
}

func FuzzTopUpRequest(f *testing.F) {
	seedEconomics(f, "topup")
	f.Fuzz(func(t *testing.T, b []byte) { checkOp(t, "topup", b) })
}

func FuzzPlansRequest(f *testing.F) {
	seedEconomics(f, "plans")
	f.Fuzz(func(t *testing.T, b []byte) { checkOp(t, "plans", b) })
}

func FuzzWalletRequest(f *testing.F) {
	seedEconomics(f, "wallet")
	f.Fuzz(func(t *testing.T, b []byte) { checkOp(t, "wallet", b) })
}

func FuzzSpendRequest(f *testing.F) {
	seedEconomics(f, "spend")
	f.Fuzz(func(t *testing.T, b []byte) { checkOp(t, "spend", b) })
}

func FuzzWorkflowRequest(f *testing.F) {
	seedEconomics(f, "workflow")
	f.Fuzz(func(t *testing.T, b []byte) { checkOp(t, "workflow", b) })
}

func FuzzROIRequest(f *testing.F) {
	seedEconomics(f, "roi")
	f.Fuzz(func(t *testing.T, b []byte) { checkOp(t, "roi", b) })
}

// Every amount and count field of every economics request at the int64 edges: an error object
// naming a field or a correct answer, never a panic.
func TestEconomicsInt64Edges(t *testing.T) {
	edges := []string{`"9223372036854775807"`, `"-9223372036854775808"`, `"9223372036854775808"`, `"1000000000000000"`,
		`"1000000000000000.01"`, `"99999999999999999999999"`, `"0"`, `"-0"`, `"0.00"`, `"1e15"`, `"1e400"`,
		`9223372036854775807`, `-9223372036854775808`, `9223372036854775808`, `1e18`, `0`, `-1`, `null`}
	templates := map[string][]string{
		"topup":    {`{"need":X}`},
		"plans":    {`{"credits":X}`, `{"jobs":[{"spec":{"resolution":"4k","fps":60,"durationSeconds":10},"count":X}]}`, `{"jobs":[{"spec":{"resolution":"4k","fps":60,"durationSeconds":10,"count":X}}]}`},
		"wallet":   {`{"date":"2026-11-25","buckets":[{"kind":"topup","credits":X,"granted":"2026-11-01"}],"jobs":[{"credits":"5"}]}`, `{"date":"2026-11-25","buckets":[{"kind":"topup","credits":"5","granted":"2026-11-01"}],"jobs":[{"credits":X}]}`},
		"workflow": {`{"final":{"resolution":"4k","fps":60,"durationSeconds":10},"prototypes":X}`, `{"final":{"resolution":"4k","fps":60,"durationSeconds":10},"refinements":X}`, `{"final":{"resolution":"4k","fps":60,"durationSeconds":10},"pricePerCreditUsd":X}`, `{"final":{"resolution":"4k","fps":60,"durationSeconds":X}}`},
		"spend":    {`{"at":"2026-11-25","buckets":[{"kind":"topup","credits":X,"granted":"2026-11-01"}],"credits":"5"}`, `{"at":"2026-11-25","buckets":[{"kind":"topup","credits":"5","granted":"2026-11-01"}],"credits":X}`},
		"roi":      {`{"credits":X}`, `{"credits":"30","pricePerCreditUsd":X}`, `{"credits":"30","videosPerMonth":X,"plan":"premium"}`, `{"credits":"30","traditionalUsd":X}`, `{"credits":"30","subscriptionUsd":X}`},
	}
	for op, ts := range templates {
		for _, tpl := range ts {
			for _, x := range edges {
				req := strings.Replace(tpl, "X", x, 1)
				checkOp(t, op, []byte(req))
				out, err := Default().Do(op, []byte(req))
				if err != nil {
					e := err.(*Error)
					require.NotEqual(t, CodeInternal, e.Code, req)
					if x != "null" {
						require.NotEmpty(t, e.Field, "%s → %s", req, e.Message)
					}
				} else {
					require.True(t, json.Valid(out))
				}
			}
		}
	}
}

func TestEconomicsOpsRegistered(t *testing.T) {
	for _, op := range []string{"topup", "plans", "wallet", "spend", "workflow", "roi"} {
		require.Contains(t, Ops(), op)
	}
}
