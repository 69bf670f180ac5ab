package estimatortest

import (
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"strings"
)

// Phrases that random prompts are built from: calm scenes, each kind of signal, Chinese,
// markup and emoji, so that random requests exercise the analyzer and the string escaping.
var phrases = []string{
	"gentle ripples on a calm lake", "a quiet forest at dawn", "close-up of a coffee cup",
	"thousands of troops fiercely fighting on an ancient battlefield", "20 dancers on a stage",
	"twenty armored knights charging", "hundreds of birds", "a building collapsing",
	"explosions in the distance", "water splashing over rocks", "fast pan across the city",
	"sparks and smoke", "a drone shot over the crowd", "1,000 runners in a marathon",
	"数千名士兵在古战场上激烈厮杀", "平静的湖面", "二十个舞者在跳舞", "烟花和火花", "千军万马",
	"<img src=x onerror=alert(1)>", "\"quoted\" & <b>bold</b>", "emoji 🎬🔥 scene",
	"waves crashing at night", "a whip pan to the hero", "slow motion rain", "a herd of horses",
}

var resolutions = []string{"720p", "1080p", "1440p", "2160p", "4k", "4K", "HD", "fullhd", "2k", "UHD"}
var badResolutions = []string{"480p", "8k", "", "1080", "1080P ", "4kk"}
var fpsValues = []int{24, 30, 60}
var complexities = []string{"auto", "low", "medium", "high", "extreme"}
var modes = []string{"generate", "refine-minor", "refine-major"}

// RandomRequests returns n quote requests (contract JSON) from a seed: mostly valid specs with
// random resolution, frame rate, duration (to the millisecond), prompt, complexity, mode and
// count, and about one in seven invalid in one way (unknown field, wrong type, out of range,
// unsupported value, malformed JSON). The same seed always gives the same requests.
func RandomRequests(seed uint64, n int) [][]byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([][]byte, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, randomRequest(r))
	}
	return out
}

func randomRequest(r *rand.Rand) []byte {
	fields := []string{
		`"resolution":` + jsonString(pick(r, resolutions)),
		`"fps":` + strconv.Itoa(pick(r, fpsValues)),
		`"durationSeconds":` + randomDuration(r, 1000, 60000),
	}
	if r.IntN(3) > 0 {
		fields = append(fields, `"prompt":`+jsonString(randomPrompt(r)))
	}
	if r.IntN(2) == 0 {
		fields = append(fields, `"complexity":`+jsonString(pick(r, complexities)))
	}
	if r.IntN(2) == 0 {
		fields = append(fields, `"mode":`+jsonString(pick(r, modes)))
	}
	if r.IntN(2) == 0 {
		fields = append(fields, `"count":`+strconv.Itoa(1+r.IntN(100)))
	}
	if r.IntN(7) == 0 {
		fields = corrupt(r, fields)
		if fields == nil {
			return []byte(pick(r, []string{`{"resolution":"1080p","fps":30,`, `[]`, `null`, `{"fps":30}{}`, `"1080p"`, ``}))
		}
	}
	r.Shuffle(len(fields), func(i, j int) { fields[i], fields[j] = fields[j], fields[i] })
	return []byte("{" + strings.Join(fields, ",") + "}")
}

// corrupt makes a valid field list invalid in one way; nil asks for malformed JSON instead.
func corrupt(r *rand.Rand, f []string) []string {
	switch r.IntN(10) {
	case 0:
		return append(f, `"fsp":30`)
	case 1:
		f[0] = `"resolution":` + jsonString(pick(r, badResolutions))
	case 2:
		f[1] = `"fps":` + pick(r, []string{"25", "0", "-30", "30.5", `"30"`, "1e2", "120"})
	case 3:
		f[2] = `"durationSeconds":` + pick(r, []string{"0", "-5", "61", "10.0001", `"10"`, "1e400", "null", "3600"})
	case 4:
		return append(f, `"count":`+pick(r, []string{"0", "-1", "101", "2.5", "9223372036854775808", `"3"`}))
	case 5:
		return append(f, `"mode":`+pick(r, []string{`"refine"`, `""`, "1", `"GENERATE"`}))
	case 6:
		return append(f, `"complexity":`+pick(r, []string{`"insane"`, `"Auto"`, "8", "[]"}))
	case 7:
		return append(f, `"prompt":`+pick(r, []string{"42", `"bell\u0007"`, `"` + strings.Repeat("a", 4001) + `"`}))
	case 8:
		return f[1:] // missing resolution
	default:
		return nil
	}
	return f
}

func randomDuration(r *rand.Rand, minMs, maxMs int) string {
	ms := minMs + r.IntN(maxMs-minMs+1)
	switch r.IntN(3) {
	case 0:
		ms -= ms % 1000 // whole seconds
	case 1:
		ms -= ms % 100
	}
	s := strconv.Itoa(ms / 1000)
	if frac := ms % 1000; frac != 0 {
		s += strings.TrimRight("."+strconv.Itoa(1000 + frac)[1:], "0")
	}
	return s
}

func randomPrompt(r *rand.Rand) string {
	n := 1 + r.IntN(4)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = pick(r, phrases)
	}
	return strings.Join(parts, pick(r, []string{", ", ". ", " and ", "，", "\n"}))
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
