package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/creditestimator/creditestimator/estimator"
	"github.com/creditestimator/creditestimator/wasm/abi"
)

// constJSON extracts `export const NAME = Object.freeze(<json>);` (or without freeze) from facts.js.
func constJSON(t *testing.T, js []byte, name string) json.RawMessage {
	t.Helper()
	re := regexp.MustCompile(`(?m)^export const ` + name + ` = (?:Object\.freeze\()?(.*?)\)?;$`)
	m := re.FindSubmatch(js)
	if m == nil {
		t.Fatalf("facts.js has no %s", name)
	}
	return m[1]
}

func TestFactsAreGeneratedFromGo(t *testing.T) {
	cfg := fixture(t)
	cfg.Version = "1.2.3"
	m, err := Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	got := tree(t, cfg.Out)
	js := got["facts.js"]
	var ops, codes []string
	if err := json.Unmarshal(constJSON(t, js, "OPS"), &ops); err != nil || strings.Join(ops, ",") != strings.Join(estimator.Ops(), ",") {
		t.Errorf("OPS = %v (%v), want %v", ops, err, estimator.Ops())
	}
	if err := json.Unmarshal(constJSON(t, js, "ERROR_CODES"), &codes); err != nil || strings.Join(codes, ",") != strings.Join(estimator.ErrorCodes(), ",") {
		t.Errorf("ERROR_CODES = %v (%v)", codes, err)
	}
	card := estimator.Default()
	if s := string(constJSON(t, js, "DEFAULT_SPEC")); s != string(card.DefaultSpec().AppendJSON(nil)) {
		t.Errorf("DEFAULT_SPEC = %s", s)
	}
	if !bytes.Equal(constJSON(t, js, "DEFAULT_QUOTE"), m.DefaultQuote) {
		t.Errorf("DEFAULT_QUOTE differs from assets.json's defaultQuote")
	}
	wantCB := `{ requestAddr: 0, requestCap: 4, responseAddr: 8, responseCap: 12, maxRequestBytes: 16, bytes: 20 }`
	if abi.Words != 5 || string(constJSON(t, js, "CONTROL_BLOCK")) != wantCB {
		t.Errorf("CONTROL_BLOCK = %s", constJSON(t, js, "CONTROL_BLOCK"))
	}
	if !bytes.Contains(js, []byte(`new URL("./`+m.Wasm+`", import.meta.url)`)) || !bytes.Contains(js, []byte(`new URL("./`+m.WasmExec+`", import.meta.url)`)) {
		t.Error("facts.js does not name the module and wasm_exec.js with new URL(…, import.meta.url)")
	}
	if string(constJSON(t, js, "VERSION")) != `"1.2.3"` || m.Versioned != "v/1.2.3/" {
		t.Errorf("VERSION %s, versioned %s", constJSON(t, js, "VERSION"), m.Versioned)
	}
	dts := string(got["facts.d.ts"])
	for _, code := range estimator.ErrorCodes() {
		if !strings.Contains(dts, `"`+code+`"`) {
			t.Errorf("facts.d.ts: ErrorCode lacks %s", code)
		}
	}
	// The versioned copies are byte-identical and integrity.json hashes them.
	var in Integrity
	if err := json.Unmarshal(got["v/1.2.3/integrity.json"], &in); err != nil {
		t.Fatal(err)
	}
	if in.Version != "1.2.3" || len(in.Files) == 0 {
		t.Fatalf("integrity.json %+v", in)
	}
	for _, name := range []string{"estimator.js", "facts.js", m.Wasm, m.WasmExec} {
		v, ok := got["v/1.2.3/"+name]
		if !ok || !bytes.Equal(v, got[name]) {
			t.Errorf("v/1.2.3/%s missing or different", name)
		}
		if in.Files[name] != sri(got[name]) {
			t.Errorf("integrity of %s = %q", name, in.Files[name])
		}
	}
	for _, f := range m.Files {
		if strings.HasPrefix(f, "v/") {
			t.Errorf("files lists the versioned copy %s (the service worker would cache it twice)", f)
		}
	}
}

func TestBuildForAPlatformCard(t *testing.T) {
	cfg := fixture(t)
	raw := estimator.Default().JSON()
	var card map[string]any
	if err := json.Unmarshal(raw, &card); err != nil {
		t.Fatal(err)
	}
	card["version"] = "platform-1"
	ref := card["reference"].(map[string]any)
	ref["credits"] = "2.00"
	ref["resolution"] = "720p"
	ref["durationSeconds"] = 5
	formats := card["formats"].([]any)
	formats[0].(map[string]any)["multipliers"] = map[string]any{"24": "0.85", "30": "1", "60": "1.7"}
	formats[1].(map[string]any)["multipliers"] = map[string]any{"24": "0.85", "30": "1", "60": "1.7"}
	b, _ := json.Marshal(card)
	cfg.RateCard = filepath.Join(t.TempDir(), "card.json")
	if err := os.WriteFile(cfg.RateCard, b, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg.PkgOut = filepath.Join(t.TempDir(), "pkg")
	m, err := Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	pc, err := estimator.ParseRateCard(b)
	if err != nil {
		t.Fatal(err)
	}
	if m.RateCard.Digest != pc.Digest() || m.RateCard.Version != "platform-1" {
		t.Errorf("assets.json rateCard %+v", m.RateCard)
	}
	if string(m.DefaultSpec) != `{"resolution":"720p","fps":30,"durationSeconds":5,"complexity":"auto","mode":"generate","count":1}` {
		t.Errorf("defaultSpec %s", m.DefaultSpec)
	}
	var q struct{ Credits string }
	if err := json.Unmarshal(m.DefaultQuote, &q); err != nil || q.Credits != "2.00" {
		t.Errorf("defaultQuote %s", m.DefaultQuote)
	}
	facts, _ := os.ReadFile(filepath.Join(cfg.Out, "facts.js"))
	if !bytes.Contains(facts, []byte(pc.Digest())) {
		t.Error("facts.js does not carry the platform card's digest")
	}
	pj, err := os.ReadFile(filepath.Join(cfg.PkgOut, "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Name, Version string
		Exports       map[string]any
		SideEffects   []string
	}
	if err := json.Unmarshal(pj, &p); err != nil || p.Name != PackageName || p.Version != cfg.Version && cfg.Version != "" || p.Exports["./estimator"] == nil {
		t.Errorf("package.json %s (%v)", pj, err)
	}
	// a bad card fails the build
	if err := os.WriteFile(cfg.RateCard, []byte(`{"version":"x"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Build(cfg); err == nil || !strings.Contains(err.Error(), "rate card") {
		t.Errorf("a bad card built: %v", err)
	}
}

func TestBuildRejectsBadVersion(t *testing.T) {
	cfg := fixture(t)
	cfg.Version = "1.2"
	if _, err := Build(cfg); err == nil {
		t.Error("version 1.2 accepted")
	}
}
