package scan

import "testing"

func TestStem(t *testing.T) {
	groups := [][]string{
		{"explosion", "explosions"},
		{"crash", "crashes", "crashing", "crashed"},
		{"dance", "dances", "dancing", "danced"},
		{"run", "runs", "running"},
		{"fly", "flies", "flying"},
		{"glass", "glasses"},
		{"stampede", "stampedes", "stampeding", "stampeded"},
		{"tumble", "tumbling", "tumbled", "tumbles"},
		{"army", "armies"},
		{"hundred", "hundreds"},
		{"fall", "falls", "falling"},
		{"commuter", "commuters", "commuter's", "commuters'"},
		{"carry", "carries", "carried", "carrying"},
		{"bus", "buses"},
		{"spaceship", "spaceships"},
		{"sweep", "sweeps", "sweeping"},
	}
	for _, g := range groups {
		want := stem(g[0])
		for _, w := range g[1:] {
			if got := stem(w); got != want {
				t.Errorf("Stem(%q) = %q, Stem(%q) = %q: want the same", w, got, g[0], want)
			}
		}
	}
	kept := []string{"bed", "sing", "news", "debris", "grass", "bus", "this", "was", "red", "king", "dying"}
	for _, w := range kept {
		if got := stem(w); len(got) < 3 {
			t.Errorf("Stem(%q) = %q: too short", w, got)
		}
	}
	for _, tt := range []struct {
		w      string
		plural bool
	}{{"dozens", true}, {"dozen", false}, {"troops", true}, {"glass", false}, {"armies", true}, {"debris", false}, {"horsemen", true}, {"men", true}, {"man", false}} {
		b := []byte(tt.w)
		if _, p := Stem(b); p != tt.plural {
			t.Errorf("Stem(%q) plural = %v", tt.w, p)
		}
	}
}

func stem(w string) string {
	b := []byte(w)
	n, _ := Stem(b)
	return string(b[:n])
}
