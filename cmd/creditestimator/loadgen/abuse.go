package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/creditestimator/creditestimator/estimator/estimatortest"
)

// Abuse measurements: what each operation's worst request costs the server process (CPU per
// request, read from /proc, against a plain quote's), and a normal client's quote latency while
// other connections flood the server with worst cases.

type worstCase struct {
	Op          string  `json:"op"`
	Name        string  `json:"name"`
	Bytes       int     `json:"bytes"`
	Requests    int     `json:"requests"`
	Status      string  `json:"status"`
	CPUMicros   float64 `json:"serverCpuMicrosPerRequest"`
	TimesAQuote float64 `json:"timesAPlainQuote"`
}

type floodLevel struct {
	FloodConns    int     `json:"floodConns"`
	FloodProcs    int     `json:"floodGOMAXPROCS"`
	Seconds       float64 `json:"seconds"`
	FloodRequests int64   `json:"floodRequests"`
	FloodShed     int64   `json:"floodShed503"`
	Quotes        int     `json:"normalQuotesAnswered"`
	QuotesShed    int     `json:"normalQuotesShed503"`
	QuoteErrors   int     `json:"normalQuoteErrors"`
	P50Micros     float64 `json:"normalP50Micros"`
	P99Micros     float64 `json:"normalP99Micros"`
	MaxMicros     float64 `json:"normalMaxMicros"`
}

// cpuTicks returns the process's user+system CPU time in clock ticks (Linux /proc).
func cpuTicks(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	// fields after the command name (which may hold spaces) start after the last ')'
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0, errors.New("unexpected /proc stat")
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("unexpected /proc stat")
	}
	return u + s, nil
}

const ticksPerSecond = 100 // USER_HZ on Linux

// peakRSS returns the process's peak resident set (VmHWM) in KiB, or 0.
func peakRSS(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

func buildRequest(op string, body []byte) []byte {
	path := "/api/v1/" + op
	if op == "verify" {
		path = "/api/v1/quote/verify"
	}
	req := fmt.Appendf(nil, "POST %s HTTP/1.1\r\nHost: loadgen\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", path, len(body))
	return append(req, body...)
}

// readAny reads one response of any status; it returns the status code, whether the server
// closes the connection, and the body.
func readAny(br *bufio.Reader, buf []byte) (int, bool, []byte, error) {
	line, err := br.ReadSlice('\n')
	if err != nil {
		return 0, false, buf, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, false, buf, fmt.Errorf("bad status line %q", line)
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, false, buf, err
	}
	length, closing := -1, false
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return 0, false, buf, err
		}
		if len(line) <= 2 {
			break
		}
		switch {
		case len(line) > 15 && bytes.EqualFold(line[:15], []byte("Content-Length:")):
			length, err = strconv.Atoi(string(bytes.TrimSpace(line[15:])))
			if err != nil {
				return 0, false, buf, err
			}
		case len(line) > 11 && bytes.EqualFold(line[:11], []byte("Connection:")):
			closing = bytes.EqualFold(bytes.TrimSpace(line[11:]), []byte("close"))
		}
	}
	if length < 0 {
		return 0, false, buf, errors.New("response without Content-Length")
	}
	buf = slices.Grow(buf[:0], length)[:length]
	_, err = io.ReadFull(br, buf)
	return status, closing, buf, err
}

// cpuPerRequest sends op's body repeatedly on one keep-alive connection for d, alternating with
// its estimatortest.FreshPrompt (the quote op keeps the last prompt it analyzed: every request
// here is analyzed afresh), and returns the server's CPU per request in µs, the request count and
// the statuses seen.
func cpuPerRequest(addr string, pid int, op string, body []byte, d time.Duration) (float64, int, string, error) {
	reqs := [2][]byte{buildRequest(op, body), buildRequest(op, estimatortest.FreshPrompt(body))}
	var c net.Conn
	var br *bufio.Reader
	dial := func() error {
		var err error
		if c != nil {
			c.Close()
		}
		c, err = net.Dial("tcp", addr)
		br = bufio.NewReaderSize(c, 64<<10)
		return err
	}
	if err := dial(); err != nil {
		return 0, 0, "", err
	}
	defer func() { c.Close() }()
	statuses := map[int]int{}
	var buf []byte
	t0, err := cpuTicks(pid)
	if err != nil {
		return 0, 0, "", err
	}
	n := 0
	for deadline := time.Now().Add(d); time.Now().Before(deadline); n++ {
		if _, err := c.Write(reqs[n&1]); err != nil {
			return 0, 0, "", err
		}
		status, closing, b, err := readAny(br, buf)
		if err != nil {
			return 0, 0, "", err
		}
		buf = b
		statuses[status]++
		if closing {
			if err := dial(); err != nil {
				return 0, 0, "", err
			}
		}
	}
	t1, err := cpuTicks(pid)
	if err != nil {
		return 0, 0, "", err
	}
	var st []string
	for code, k := range statuses {
		st = append(st, strconv.Itoa(code)+"×"+strconv.Itoa(k))
	}
	slices.Sort(st)
	return float64(t1-t0) / ticksPerSecond * 1e6 / float64(n), n, strings.Join(st, " "), nil
}

// measureWorstCases measures every worst case against a plain quote, sequentially on one
// connection (the limiter never sheds a lone client).
func measureWorstCases(addr string, pid int, d time.Duration) ([]worstCase, error) {
	base, n, st, err := cpuPerRequest(addr, pid, "quote", []byte(estimatortest.PlainQuote), d)
	if err != nil {
		return nil, err
	}
	if base <= 0 {
		return nil, errors.New("no server CPU measured for the plain quote: is /proc readable?")
	}
	out := []worstCase{{Op: "quote", Name: "plain quote (the baseline)", Bytes: len(estimatortest.PlainQuote), Requests: n, Status: st, CPUMicros: base, TimesAQuote: 1}}
	for _, w := range estimatortest.WorstCases() {
		us, n, st, err := cpuPerRequest(addr, pid, w.Op, w.Body, d)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", w.Op, w.Name, err)
		}
		out = append(out, worstCase{Op: w.Op, Name: w.Name, Bytes: len(w.Body), Requests: n, Status: st, CPUMicros: us, TimesAQuote: us / base})
	}
	return out, nil
}

// flood runs conns connections sending worst cases back to back (reconnecting at once after a
// 503) while one client posts normal quotes for d; it reports the normal client's latency. The
// flood runs in a child process (this program with -flood-child), as an attacker would: sharing
// this process's scheduler, 128 busy goroutines would delay the normal client's own goroutine and
// count against the server.
func flood(addr string, work []item, conns int, d time.Duration) (floodLevel, error) {
	exe, err := os.Executable()
	if err != nil {
		return floodLevel{}, err
	}
	child := exec.Command(exe, "-flood-child", strconv.Itoa(conns), "-target", addr)
	// By default one core for the attacker (-flood-procs): on a 2-core host it would otherwise
	// take the cores the server needs, which remote attackers cannot.
	child.Env = append(os.Environ(), "GOMAXPROCS="+strconv.Itoa(floodProcs))
	stdin, err := child.StdinPipe()
	if err != nil {
		return floodLevel{}, err
	}
	var out bytes.Buffer
	child.Stdout, child.Stderr = &out, os.Stderr
	if err := child.Start(); err != nil {
		return floodLevel{}, err
	}
	time.Sleep(300 * time.Millisecond) // let the flood build up
	fl := floodLevel{FloodConns: conns, FloodProcs: floodProcs}
	var lat []time.Duration
	start := time.Now()
	var c net.Conn
	var br *bufio.Reader
	var buf []byte
	for i := 0; time.Since(start) < d; i++ {
		if c == nil {
			var err error
			if c, err = net.Dial("tcp", addr); err != nil {
				fl.QuoteErrors++
				continue
			}
			br = bufio.NewReaderSize(c, 16<<10)
		}
		it := &work[i%len(work)]
		t0 := time.Now()
		_, err := c.Write(it.request)
		var status int
		var closing bool
		if err == nil {
			status, closing, buf, err = readAny(br, buf)
		}
		el := time.Since(t0)
		switch {
		case err != nil:
			fl.QuoteErrors++
			closing = true
		case status == 503:
			fl.QuotesShed++
		case status == 200 && bytes.Equal(buf, it.want):
			fl.Quotes++
			lat = append(lat, el)
		default:
			fl.QuoteErrors++
		}
		if closing {
			c.Close()
			c = nil
		}
	}
	if c != nil {
		c.Close()
	}
	fl.Seconds = time.Since(start).Seconds()
	stdin.Close() // the child stops and reports
	if err := child.Wait(); err != nil {
		return fl, fmt.Errorf("flood child: %w", err)
	}
	var counts struct{ Sent, Shed int64 }
	if err := json.Unmarshal(out.Bytes(), &counts); err != nil {
		return fl, fmt.Errorf("flood child output %q: %w", out.String(), err)
	}
	fl.FloodRequests, fl.FloodShed = counts.Sent, counts.Shed
	if len(lat) == 0 {
		return fl, fmt.Errorf("flood of %d connections: no normal quote answered", conns)
	}
	slices.Sort(lat)
	fl.P50Micros = micros(lat[len(lat)/2])
	fl.P99Micros = micros(lat[min(len(lat)-1, len(lat)*99/100)])
	fl.MaxMicros = micros(lat[len(lat)-1])
	return fl, nil
}

// floodChild sends worst cases over conns connections until stdin closes, then prints the counts
// of requests answered and shed as JSON.
func floodChild(addr string, conns int) error {
	if err := checkLoopback(addr); err != nil {
		return err
	}
	cases := estimatortest.WorstCases()
	reqs := make([][]byte, len(cases))
	for i, w := range cases {
		reqs[i] = buildRequest(w.Op, w.Body)
	}
	var stop atomic.Bool
	var sent, shed atomic.Int64
	var wg sync.WaitGroup
	for k := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte
			for i := k; !stop.Load(); {
				c, err := net.Dial("tcp", addr)
				if err != nil {
					time.Sleep(time.Millisecond)
					continue
				}
				br := bufio.NewReaderSize(c, 64<<10)
				for ; !stop.Load(); i++ {
					if _, err := c.Write(reqs[i%len(reqs)]); err != nil {
						break
					}
					status, closing, b, err := readAny(br, buf)
					if err != nil {
						break
					}
					buf = b
					sent.Add(1)
					if status == 503 {
						shed.Add(1)
					}
					if closing {
						break
					}
				}
				c.Close()
			}
		}()
	}
	_, _ = io.Copy(io.Discard, os.Stdin)
	stop.Store(true)
	wg.Wait()
	return json.NewEncoder(os.Stdout).Encode(struct{ Sent, Shed int64 }{sent.Load(), shed.Load()})
}

func printAbuse(w io.Writer, r report) {
	if len(r.WorstCases) > 0 {
		fmt.Fprintf(w, "\nWorst cases: server CPU per request (from /proc, one keep-alive connection) ÷ a plain quote's\n")
		fmt.Fprintf(w, "%-9s %8s %9s %9s  %-14s %s\n", "op", "bytes", "cpu µs", "×quote", "statuses", "case")
		worst := map[string]float64{}
		for _, c := range r.WorstCases {
			fmt.Fprintf(w, "%-9s %8d %9.1f %8.1f×  %-14s %s\n", c.Op, c.Bytes, c.CPUMicros, c.TimesAQuote, c.Status, c.Name)
			worst[c.Op] = max(worst[c.Op], c.TimesAQuote)
		}
		fmt.Fprintf(w, "per operation, the worst:")
		for _, op := range []string{"quote", "topup", "plans", "wallet", "workflow", "roi", "verify"} {
			fmt.Fprintf(w, " %s %.1f×", op, worst[op])
		}
		fmt.Fprintln(w)
	}
	if len(r.Floods) > 0 {
		fmt.Fprintf(w, "\nNormal quotes (1 connection) while other connections (a separate process, GOMAXPROCS=%d) send worst cases back to back\n", r.Floods[0].FloodProcs)
		fmt.Fprintf(w, "%6s %8s %8s %8s %8s %8s %9s %9s %9s\n", "flood", "flood/s", "shed %", "quotes", "shed", "errors", "p50 µs", "p99 µs", "max µs")
		for _, f := range r.Floods {
			shedPct := 0.0
			if f.FloodRequests > 0 {
				shedPct = 100 * float64(f.FloodShed) / float64(f.FloodRequests)
			}
			fmt.Fprintf(w, "%6d %8.0f %8.1f %8d %8d %8d %9.1f %9.1f %9.1f\n", f.FloodConns, float64(f.FloodRequests)/f.Seconds, shedPct,
				f.Quotes, f.QuotesShed, f.QuoteErrors, f.P50Micros, f.P99Micros, f.MaxMicros)
		}
	}
	if r.PeakRSSKiB > 0 {
		fmt.Fprintf(w, "server peak resident memory (VmHWM) over the whole run: %.1f MiB\n", float64(r.PeakRSSKiB)/1024)
	}
}
