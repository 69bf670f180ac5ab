package main

// seeds are starting requests for the economics ops, mutated like the golden
// vectors' requests (which are used too, as soon as an op has vectors). Only
// requests: every answer compared is computed by estimator.Do.
var seeds = map[string][]string{
	"topup": {
		`{"need":"70"}`,
		`{"need":"1234.56"}`,
		`{"need":"0"}`,
		`{"need":"70000000000000"}`,
	},
	"plans": {
		`{"jobs":[{"spec":{"resolution":"4k","fps":60,"durationSeconds":10},"count":100},{"spec":{"resolution":"720p","fps":30,"durationSeconds":5,"count":4},"count":50}],"like":{"resolution":"4k","fps":60,"durationSeconds":10}}`,
		`{"jobs":[{"spec":{"resolution":"1080p","fps":30,"durationSeconds":10,"prompt":"a battle with thousands of troops"}}]}`,
	},
	"wallet": {
		`{"date":"2026-11-25","buckets":[{"kind":"topup","credits":"300","granted":"2026-10-01"},{"kind":"monthly","credits":"500","granted":"2026-11-10"},{"kind":"priority","credits":"50","granted":"2026-11-10"},{"kind":"trial","credits":"100","granted":"2026-11-01"}],"jobs":[{"credits":"120"},{"credits":"500","date":"2026-12-01"}]}`,
		`{"date":"2026-11-25","buckets":[{"kind":"monthly","credits":"40","granted":"2026-11-01"}],"jobs":[{"credits":"30"},{"credits":"30","date":"2026-11-26"},{"credits":"10","date":"2026-12-05"}]}`,
		`{"date":"2026-01-01","buckets":[],"jobs":[{"credits":"1"},{"credits":"1","date":"2026-12-31"}]}`,
	},
	"workflow": {
		`{"final":{"resolution":"4k","fps":60,"durationSeconds":10}}`,
		`{"final":{"resolution":"1080p","fps":30,"durationSeconds":20,"prompt":"explosions and rain"},"prototypes":4,"refinements":3}`,
	},
	"roi": {
		`{"credits":"30"}`,
		`{"credits":"30","plan":"premium","videosPerMonth":3}`,
		`{"spec":{"resolution":"1080p","fps":30,"durationSeconds":30,"complexity":"high"},"pricePerCreditUsd":"0.10","traditionalUsd":"5000","subscriptionUsd":"29","videosPerMonth":10}`,
	},
}
