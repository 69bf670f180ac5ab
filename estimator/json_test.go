package estimator_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/creditestimator/creditestimator/estimator"
)

// json.Unmarshal applies DecodeSpec's rules exactly: same value, same error.
func TestSpecUnmarshalJSONMatchesDecodeSpec(t *testing.T) {
	cases := []struct {
		name, in string
		code     string // "" = valid
		field    string
	}{
		{"minimal", `{"resolution":"1080p","fps":30,"durationSeconds":10}`, "", ""},
		{"all fields", `{"resolution":"4k","fps":60,"durationSeconds":7.25,"prompt":"a duel","complexity":"high","mode":"refine-minor","count":3}`, "", ""},
		{"unknown field", `{"resolution":"1080p","fps":30,"durationSeconds":10,"duration":5}`, estimator.CodeUnknownField, "duration"},
		{"duplicate field", `{"resolution":"1080p","fps":30,"fps":24,"durationSeconds":10}`, estimator.CodeDuplicateField, "fps"},
		{"missing duration", `{"resolution":"1080p","fps":30}`, estimator.CodeMissingField, "durationSeconds"},
		{"fps as string", `{"resolution":"1080p","fps":"30","durationSeconds":10}`, estimator.CodeInvalidType, "fps"},
		{"fractional fps", `{"resolution":"1080p","fps":29.97,"durationSeconds":10}`, estimator.CodeInvalidValue, "fps"},
		{"four decimals", `{"resolution":"1080p","fps":30,"durationSeconds":1.0001}`, estimator.CodeInvalidValue, "durationSeconds"},
		{"empty mode", `{"resolution":"1080p","fps":30,"durationSeconds":10,"mode":""}`, estimator.CodeUnsupportedMode, "mode"},
		{"count zero", `{"resolution":"1080p","fps":30,"durationSeconds":10,"count":0}`, estimator.CodeOutOfRange, "count"},
		{"not an object", `[1]`, estimator.CodeInvalidType, ""},
		{"invalid utf8", "{\"resolution\":\"\xff\",\"fps\":30,\"durationSeconds\":10}", estimator.CodeInvalidUTF8, "resolution"},
		{"trailing garbage", `{"resolution":"1080p","fps":30,"durationSeconds":10} x`, "json", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want, wantErr := estimator.DecodeSpec([]byte(tc.in))
			var got estimator.Spec
			gotErr := json.Unmarshal([]byte(tc.in), &got)
			if tc.code == "" {
				if wantErr != nil || gotErr != nil {
					t.Fatalf("DecodeSpec: %v, json.Unmarshal: %v", wantErr, gotErr)
				}
				if got != want {
					t.Fatalf("json.Unmarshal = %+v, DecodeSpec = %+v", got, want)
				}
				return
			}
			if gotErr == nil {
				t.Fatalf("json.Unmarshal accepted %s: %+v", tc.in, got)
			}
			if tc.code == "json" { // encoding/json rejects malformed input before calling UnmarshalJSON
				return
			}
			var e *estimator.Error
			if !errors.As(gotErr, &e) {
				t.Fatalf("error %T %v is not an *estimator.Error", gotErr, gotErr)
			}
			if e.Code != tc.code || e.Field != tc.field {
				t.Fatalf("error = %s/%q, want %s/%q", e.Code, e.Field, tc.code, tc.field)
			}
			if wantErr == nil || wantErr.Error() != gotErr.Error() {
				t.Fatalf("json.Unmarshal error %v differs from DecodeSpec error %v", gotErr, wantErr)
			}
			if got != (estimator.Spec{}) {
				t.Fatalf("a failed Unmarshal changed the Spec: %+v", got)
			}
		})
	}
}

// Marshal then Unmarshal gives the same value; Unmarshal then Marshal gives the same JSON.
func TestRequestsRoundTrip(t *testing.T) {
	specs := []string{
		`{"resolution":"1080p","fps":30,"durationSeconds":10,"complexity":"auto","mode":"generate","count":1}`,
		`{"resolution":"4k","fps":60,"durationSeconds":7.25,"prompt":"a \"duel\" \u003cat\u003e dusk, 战斗","complexity":"high","mode":"refine-major","count":12}`,
	}
	for _, in := range specs {
		var s estimator.Spec
		if err := json.Unmarshal([]byte(in), &s); err != nil {
			t.Fatal(err)
		}
		out, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != in {
			t.Fatalf("round trip:\n in  %s\n out %s", in, out)
		}
	}
	roundTrip(t, &estimator.WorkflowRequest{}, `{"final":{"resolution":"2160p","fps":60,"durationSeconds":10,"complexity":"auto","mode":"generate","count":1},"prototype":{"resolution":"720p","fps":24,"durationSeconds":5,"complexity":"low","mode":"generate","count":1},"prototypes":4,"refinements":1,"refinementMode":"refine-major","pricePerCreditUsd":"0.0525"}`)
	roundTrip(t, &estimator.ROIRequest{}, `{"credits":"12.50","pricePerCreditUsd":"0.06","plan":"basic","videosPerMonth":20,"traditionalUsd":"5000"}`)
	roundTrip(t, &estimator.TopUpRequest{}, `{"need":"12.50"}`)
	roundTrip(t, &estimator.PlanWorkload{}, `{"credits":"1200.00","like":{"resolution":"1080p","fps":30,"durationSeconds":10,"complexity":"auto","mode":"generate","count":1}}`)
	roundTrip(t, &estimator.WalletRequest{}, `{"date":"2026-03-01","buckets":[{"kind":"monthly","credits":"500.00","granted":"2026-03-01","expires":"2026-04-01"}],"jobs":[{"credits":"3.00","date":"2026-03-02"}]}`)
}

func roundTrip(t *testing.T, v any, in string) {
	t.Helper()
	if err := json.Unmarshal([]byte(in), v); err != nil {
		t.Fatalf("%T: %v", v, err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != in {
		t.Fatalf("%T round trip:\n in  %s\n out %s", v, in, out)
	}
	again := reflect.New(reflect.TypeOf(v).Elem()).Interface()
	if err := json.Unmarshal(out, again); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(v, again) {
		t.Fatalf("%T: %+v != %+v", v, v, again)
	}
}

// The request types reject what their operation rejects, with the same error.
func TestRequestsUnmarshalStrict(t *testing.T) {
	cases := []struct {
		v          any
		op, in     string
		code, path string
	}{
		{&estimator.WorkflowRequest{}, "workflow", `{"final":{"resolution":"1080p","fps":30,"durationSeconds":10},"prototipes":3}`, estimator.CodeUnknownField, "prototipes"},
		{&estimator.WorkflowRequest{}, "workflow", `{"final":{"resolution":"1080p","fps":30}}`, estimator.CodeMissingField, "final.durationSeconds"},
		{&estimator.ROIRequest{}, "roi", `{"credits":5}`, estimator.CodeInvalidType, "credits"},
		{&estimator.ROIRequest{}, "roi", `{"spec":{"resolution":"1080p","fps":30,"durationSeconds":10},"credits":"1"}`, estimator.CodeInvalidValue, "credits"},
		{&estimator.WalletRequest{}, "wallet", `{"date":"2026-02-30","buckets":[]}`, estimator.CodeInvalidDate, "date"},
		{&estimator.TopUpRequest{}, "topup", `{"need":12}`, estimator.CodeInvalidType, "need"},
		{&estimator.PlanWorkload{}, "plans", `{"credits":"5","jobs":[]}`, estimator.CodeInvalidValue, "jobs"},
	}
	for _, tc := range cases {
		err := json.Unmarshal([]byte(tc.in), tc.v)
		var e *estimator.Error
		if !errors.As(err, &e) || e.Code != tc.code || e.Field != tc.path {
			t.Errorf("%T %s: error %v, want %s at %q", tc.v, tc.in, err, tc.code, tc.path)
			continue
		}
		if _, opErr := estimator.Default().Do(tc.op, []byte(tc.in)); opErr == nil || opErr.Error() != err.Error() {
			t.Errorf("%T %s: json.Unmarshal says %v, Do(%q) says %v", tc.v, tc.in, err, tc.op, opErr)
		}
	}
}

// A Go service decodes a spec with encoding/json and prices it.
func ExampleSpec_UnmarshalJSON() {
	var s estimator.Spec
	if err := json.Unmarshal([]byte(`{"resolution":"4k","fps":60,"durationSeconds":8}`), &s); err != nil {
		panic(err)
	}
	q, err := estimator.Default().Estimate(s)
	if err != nil {
		panic(err)
	}
	fmt.Println(s.DurationMillis, q.Credits)

	// A misspelt member is an error, never silently ignored.
	err = json.Unmarshal([]byte(`{"resolution":"4k","fps":60,"duration":8}`), &s)
	fmt.Println(err)
	// Output:
	// 8000 4.00
	// unknown_field: duration: unknown field "duration"
}

func ExampleWorkflowRequest_MarshalJSON() {
	out, _ := json.Marshal(estimator.WorkflowRequest{
		Final:       estimator.Spec{Resolution: "1080p", FPS: 30, DurationMillis: 10_000},
		Prototypes:  3,
		Refinements: 1,
	})
	fmt.Println(string(out))
	// Output:
	// {"final":{"resolution":"1080p","fps":30,"durationSeconds":10,"complexity":"auto","mode":"generate","count":1},"prototypes":3,"refinements":1,"refinementMode":"refine-minor"}
}
