// Command loadgen measures the reference server's quote throughput and latency on loopback.
//
// It starts the real server binary on a free loopback port (or uses -target), then for each
// connection count (default 1, 16, 64) keeps that many keep-alive connections busy with
// POST /api/v1/quote for a bounded time and request count, checks every answer byte for byte
// against estimator.Default().Do, and prints quotes/s with p50/p99 latency. It stops by itself.
//
//	go run ./cmd/creditestimator/loadgen -server bin/creditestimator [-duration 3s] [-conns 1,16,64]
//
// The client is a minimal HTTP/1.1 writer/reader (pre-built request bytes, Content-Length bodies)
// so that the load generator, which shares the machine's cores with the server, costs as little
// as possible; its numbers are for the server plus this client on the same host.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/creditestimator/creditestimator/estimator"
	"github.com/creditestimator/creditestimator/estimator/estimatortest"
)

type level struct {
	Conns      int     `json:"conns"`
	Requests   int     `json:"requests"`
	Errors     int     `json:"errors"`
	Shed       int     `json:"shed503"`
	Seconds    float64 `json:"seconds"`
	PerSecond  float64 `json:"quotesPerSecond"`
	P50Micros  float64 `json:"p50Micros"`
	P99Micros  float64 `json:"p99Micros"`
	MeanMicros float64 `json:"meanMicros"`
}

type report struct {
	Target            string       `json:"target"`
	WorstCases        []worstCase  `json:"worstCases,omitempty"`
	Floods            []floodLevel `json:"floods,omitempty"`
	PeakRSSKiB        int64        `json:"serverPeakRSSKiB,omitempty"`
	GOMAXPROCS        int          `json:"gomaxprocs"`
	NumCPU            int          `json:"numCPU"`
	DistinctSpecs     int          `json:"distinctSpecs"`
	Levels            []level      `json:"levels"`
	RoundTripP50Micro float64      `json:"httpQuoteRoundTripP50Micros"`
	LoadAvgBefore     string       `json:"loadAverageBefore,omitempty"` // /proc/loadavg: other work on the host skews the numbers
}

// loadAverage returns the 1/5/15-minute load averages of a Linux host, or "" elsewhere.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

func main() {
	serverBin := flag.String("server", "bin/creditestimator", "server binary to start on a free loopback port")
	target := flag.String("target", "", "host:port of an already running server on loopback (instead of -server)")
	duration := flag.Duration("duration", 3*time.Second, "measured time per connection count")
	warmup := flag.Duration("warmup", 500*time.Millisecond, "unmeasured time before each level")
	maxReq := flag.Int("max-requests", 1_000_000, "request bound per level")
	connList := flag.String("conns", "1,16,64", "comma-separated connection counts")
	jsonOut := flag.String("json", "", "also write the results as JSON to this file")
	flag.StringVar(&floodList, "flood", "16,128", "comma-separated flood connection counts (worst-case requests) while one client quotes; empty: no flood")
	flag.DurationVar(&perCase, "per-case", 400*time.Millisecond, "time per worst case when measuring server CPU per request")
	flag.IntVar(&floodProcs, "flood-procs", 1, "GOMAXPROCS of the flood process (the attacker's cores on this host)")
	child := flag.Int("flood-child", 0, "internal: run as the flood process with this many connections against -target")
	flag.Parse()
	if *child > 0 {
		if err := floodChild(*target, *child); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen flood:", err)
			os.Exit(1)
		}
		return
	}

	if err := run(*serverBin, *target, *duration, *warmup, *maxReq, *connList, *jsonOut); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

var (
	floodList  string
	perCase    time.Duration
	floodProcs int
)

func parseConns(list string) ([]int, error) {
	var conns []int
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	for f := range strings.SplitSeq(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 1024 {
			return nil, fmt.Errorf("bad connection count %q", f)
		}
		conns = append(conns, n)
	}
	return conns, nil
}

func run(serverBin, target string, duration, warmup time.Duration, maxReq int, connList, jsonOut string) error {
	conns, err := parseConns(connList)
	if err != nil {
		return err
	}
	if duration <= 0 || duration > 60*time.Second {
		return errors.New("-duration must be in (0, 60s]")
	}

	work, err := buildWork()
	if err != nil {
		return err
	}

	addr := target
	pid := 0
	if addr == "" {
		stop, a, p, err := startServer(serverBin)
		if err != nil {
			return err
		}
		defer stop()
		addr, pid = a, p
	} else if err := checkLoopback(addr); err != nil {
		return err
	}

	rep := report{Target: addr, GOMAXPROCS: runtime.GOMAXPROCS(0), NumCPU: runtime.NumCPU(), DistinctSpecs: len(work),
		LoadAvgBefore: loadAverage()}
	for _, c := range conns {
		if warmup > 0 {
			if _, err := measure(addr, work, c, warmup, maxReq); err != nil {
				return err
			}
		}
		lv, err := measure(addr, work, c, duration, maxReq)
		if err != nil {
			return err
		}
		rep.Levels = append(rep.Levels, lv)
		if c == 1 {
			rep.RoundTripP50Micro = lv.P50Micros
		}
	}
	if pid > 0 && perCase > 0 {
		wc, err := measureWorstCases(addr, pid, perCase)
		if err != nil {
			return err
		}
		rep.WorstCases = wc
	}
	floods, err := parseConns(floodList)
	if err != nil {
		return err
	}
	for _, n := range floods {
		fl, err := flood(addr, work, n, duration)
		if err != nil {
			return err
		}
		rep.Floods = append(rep.Floods, fl)
	}
	if pid > 0 {
		rep.PeakRSSKiB = peakRSS(pid)
	}
	printReport(os.Stdout, rep)
	if jsonOut != "" {
		if err := os.MkdirAll(filepath.Dir(jsonOut), 0o755); err != nil {
			return err
		}
		b, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(jsonOut, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	for _, lv := range rep.Levels {
		if lv.Errors > 0 {
			return fmt.Errorf("%d wrong or failed answers at %d connections", lv.Errors, lv.Conns)
		}
	}
	return nil
}

// item is one pre-built request and the exact answer body the server must give.
type item struct {
	request []byte
	want    []byte
}

// buildWork takes the seeded random specs that are valid quotes and pre-builds their requests.
func buildWork() ([]item, error) {
	card := estimator.Default()
	var work []item
	for _, spec := range estimatortest.RandomRequests(20261125, 4096) {
		want, err := card.Do("quote", spec)
		if err != nil {
			continue // the load is quotes; invalid specs are covered by the tests
		}
		req := fmt.Appendf(nil, "POST /api/v1/quote HTTP/1.1\r\nHost: loadgen\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(spec))
		work = append(work, item{request: append(req, spec...), want: want})
	}
	if len(work) < 100 {
		return nil, fmt.Errorf("only %d valid specs from the generator", len(work))
	}
	return work, nil
}

func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	ips, err := net.LookupIP(host)
	if err != nil {
		return err
	}
	for _, ip := range ips {
		if !ip.IsLoopback() {
			return fmt.Errorf("-target %s is not loopback; this load generator only runs on loopback", addr)
		}
	}
	return nil
}

// startServer runs the binary on a free loopback port and returns a stop function, its address
// and its process id.
func startServer(bin string) (func(), string, int, error) {
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-web", "")
	cmd.Stderr = nil // access logs go to /dev/null (they are still written: the cost is measured)
	cmd.Env = append(os.Environ(), "PORT=", "ADDR=")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", 0, err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", 0, fmt.Errorf("start %s: %w (run make server first)", bin, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			line <- sc.Text()
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	var url string
	select {
	case l := <-line:
		u, ok := strings.CutPrefix(l, "listening on ")
		if !ok {
			stop()
			return nil, "", 0, fmt.Errorf("unexpected first line from the server: %q", l)
		}
		url = strings.TrimSuffix(u, "/")
	case <-exited:
		return nil, "", 0, errors.New("the server exited at start")
	case <-time.After(15 * time.Second):
		stop()
		return nil, "", 0, errors.New("the server printed no address")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/healthz", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if ctx.Err() != nil {
			stop()
			return nil, "", 0, errors.New("the server never answered /healthz")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return stop, strings.TrimPrefix(url, "http://"), cmd.Process.Pid, nil
}

// measure keeps conns connections busy for d (or until maxReq requests) and summarises latency.
func measure(addr string, work []item, conns int, d time.Duration, maxReq int) (level, error) {
	var issued atomic.Int64
	var wg sync.WaitGroup
	lat := make([][]time.Duration, conns)
	errs := make([]int, conns)
	shed := make([]int, conns)
	var firstErr error
	var errOnce sync.Once
	deadline := time.Now().Add(d)
	start := time.Now()
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", addr)
			if err != nil {
				errs[w]++
				errOnce.Do(func() { firstErr = err })
				return
			}
			defer func() { c.Close() }()
			br := bufio.NewReaderSize(c, 16<<10)
			samples := make([]time.Duration, 0, 1<<16)
			body := make([]byte, 0, 4096)
			for i := w; ; i += conns {
				if issued.Add(1) > int64(maxReq) {
					break
				}
				it := &work[i%len(work)]
				t0 := time.Now()
				if t0.After(deadline) {
					break
				}
				if _, err := c.Write(it.request); err != nil {
					errs[w]++
					errOnce.Do(func() { firstErr = err })
					return
				}
				status, closing, b, err := readAny(br, body[:0])
				body = b
				if err != nil {
					errs[w]++
					errOnce.Do(func() { firstErr = err })
					return
				}
				if status == http.StatusServiceUnavailable { // shed by the limiter: not an error
					shed[w]++
				} else {
					samples = append(samples, time.Since(t0))
					if status != http.StatusOK || !bytes.Equal(body, it.want) {
						errs[w]++
						errOnce.Do(func() { firstErr = fmt.Errorf("status %d, answer differs from Default().Do: %.200s", status, body) })
					}
				}
				if closing {
					c.Close()
					if c, err = net.Dial("tcp", addr); err != nil {
						errs[w]++
						errOnce.Do(func() { firstErr = err })
						return
					}
					br = bufio.NewReaderSize(c, 16<<10)
				}
			}
			lat[w] = samples
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	all := slices.Concat(lat...)
	slices.Sort(all)
	lv := level{Conns: conns, Requests: len(all), Seconds: elapsed.Seconds()}
	for w := range errs {
		lv.Errors += errs[w]
		lv.Shed += shed[w]
	}
	if len(all) == 0 {
		return lv, fmt.Errorf("no request completed at %d connections: %v", conns, firstErr)
	}
	var sum time.Duration
	for _, v := range all {
		sum += v
	}
	lv.PerSecond = float64(len(all)) / elapsed.Seconds()
	lv.P50Micros = micros(all[len(all)*50/100])
	lv.P99Micros = micros(all[min(len(all)-1, len(all)*99/100)])
	lv.MeanMicros = micros(sum / time.Duration(len(all)))
	if firstErr != nil {
		fmt.Fprintf(os.Stderr, "loadgen: %d connections: first error: %v\n", conns, firstErr)
	}
	return lv, nil
}

func micros(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }

func printReport(w io.Writer, r report) {
	fmt.Fprintf(w, "\nHTTP quote load: POST /api/v1/quote on loopback %s (server and load generator share %d CPUs, GOMAXPROCS=%d), %d distinct valid specs, every answer checked against estimator.Default().Do\n",
		r.Target, r.NumCPU, r.GOMAXPROCS, r.DistinctSpecs)
	if r.LoadAvgBefore != "" {
		fmt.Fprintf(w, "host load average before the run (1/5/15 min): %s — anything above 0 competes with these numbers\n", r.LoadAvgBefore)
	}
	fmt.Fprintf(w, "%6s %10s %8s %11s %10s %10s %10s %7s %7s\n", "conns", "requests", "seconds", "quotes/s", "p50 µs", "p99 µs", "mean µs", "errors", "503")
	for _, lv := range r.Levels {
		fmt.Fprintf(w, "%6d %10d %8.2f %11.0f %10.1f %10.1f %10.1f %7d %7d\n",
			lv.Conns, lv.Requests, lv.Seconds, lv.PerSecond, lv.P50Micros, lv.P99Micros, lv.MeanMicros, lv.Errors, lv.Shed)
	}
	if r.RoundTripP50Micro > 0 {
		fmt.Fprintf(w, "HTTP quote round trip median (1 connection, keep-alive): %.1f µs\n", r.RoundTripP50Micro)
	}
	printAbuse(w, r)
}
