package estimatortest

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/creditestimator/creditestimator/estimator"
)

// TestFreshPrompt: the fresh copy of a request differs only by its prompt's first character, so a
// benchmark alternating the two measures the same work: every worst case answers alike (the same
// error code, or a quote of the same price), and a request without a prompt is left as it is.
func TestFreshPrompt(t *testing.T) {
	fresh := FreshPrompt([]byte(PlainQuote))
	var a, b struct{ Prompt string }
	if err := json.Unmarshal([]byte(PlainQuote), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(fresh, &b); err != nil {
		t.Fatal(err)
	}
	if b.Prompt != " "+a.Prompt[1:] {
		t.Fatalf("fresh prompt %q, want %q", b.Prompt, " "+a.Prompt[1:])
	}
	if got := FreshPrompt([]byte(`{"need":"5"}`)); string(got) != `{"need":"5"}` {
		t.Fatalf("a request without a prompt became %s", got)
	}
	card := estimator.Default()
	for _, w := range append(WorstCases(), Request{"quote", "plain", []byte(PlainQuote)}) {
		r1, err1 := card.Do(w.Op, w.Body)
		r2, err2 := card.Do(w.Op, FreshPrompt(w.Body))
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("%s %s: %v, then %v", w.Op, w.Name, err1, err2)
		}
		if err1 != nil {
			var e1, e2 *estimator.Error
			if !errors.As(err1, &e1) || !errors.As(err2, &e2) || e1.Code != e2.Code || e1.Field != e2.Field {
				t.Fatalf("%s %s: %v, then %v", w.Op, w.Name, err1, err2)
			}
			continue
		}
		if credits(r1) != credits(r2) {
			t.Fatalf("%s %s: %s credits, then %s", w.Op, w.Name, credits(r1), credits(r2))
		}
	}
}

func credits(resp []byte) string {
	i := bytes.Index(resp, []byte(`"credits":"`))
	if i < 0 {
		return ""
	}
	rest := resp[i+len(`"credits":"`):]
	return string(rest[:bytes.IndexByte(rest, '"')])
}

// The short sentences' worst case reaches the spread cap: the analyzer reads every sentence again.
func TestShortSentencesAreCapped(t *testing.T) {
	cx := estimator.Default().Analyze(shortSentences(promptChars))
	for _, s := range cx.Signals {
		if s.ID == "spread" {
			return
		}
	}
	t.Fatalf("not capped: %s, score %d", cx.Level, cx.Score)
}
