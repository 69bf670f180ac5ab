package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/estimator"
	"github.com/creditestimator/creditestimator/estimator/estimatortest"
)

const secretPrompt = "ocelot-harbor-91b2 with thousands of lanterns"

var spec = `{"resolution":"1080p","fps":30,"durationSeconds":10,"prompt":"` + secretPrompt + `","count":3}`

// buildBinary compiles this command once per test run.
var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildOut  []byte
)

func TestMain(m *testing.M) {
	code := m.Run()
	stripeMock.Stop()
	if binPath != "" {
		_ = os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

func buildBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "creditestimator-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "creditestimator")
		goTool, err := exec.LookPath("go")
		if err != nil {
			goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		cmd := exec.Command(goTool, "build", "-o", binPath, ".")
		buildOut, buildErr = cmd.CombinedOutput()
	})
	require.NoError(t, buildErr, "go build: %s", buildOut)
	return binPath
}

// lockedBuffer collects a process's stderr.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type proc struct {
	cmd    *exec.Cmd
	url    string // http://127.0.0.1:PORT
	addr   string
	stderr *lockedBuffer
	done   chan struct{}
	err    error
}

// start runs the binary on a free loopback port and waits for its address line and /healthz.
func start(t *testing.T, args ...string) *proc {
	t.Helper()
	bin := buildBinary(t)
	p := &proc{stderr: &lockedBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, append([]string{"-addr", "127.0.0.1:0"}, args...)...)
	p.cmd.Stderr = p.stderr
	p.cmd.Env = append(os.Environ(), "PORT=", "ADDR=")
	stdout, err := p.cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, p.cmd.Start())
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})

	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		if sc.Scan() {
			lines <- sc.Text()
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case line := <-lines:
		u, ok := strings.CutPrefix(line, "listening on ")
		require.True(t, ok, "first line %q", line)
		p.url = strings.TrimSuffix(u, "/")
		p.addr = strings.TrimPrefix(p.url, "http://")
	case <-p.done:
		require.Failf(t, "server exited early", "%v\n%s", p.err, p.stderr.String())
	case <-time.After(15 * time.Second):
		require.Failf(t, "no address line", "stderr:\n%s", p.stderr.String())
	}
	require.Regexp(t, `^http://127\.0\.0\.1:[0-9]+$`, p.url)

	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(p.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		require.True(t, time.Now().Before(deadline), "healthz never answered: %v", err)
		time.Sleep(50 * time.Millisecond)
	}
	return p
}

func (p *proc) waitExit(t *testing.T, limit time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(limit):
		require.Failf(t, "server did not exit", "within %v; stderr:\n%s", limit, p.stderr.String())
	}
	return p.cmd.ProcessState.ExitCode()
}

func webDir(t *testing.T) string {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "index.html"), []byte("<!doctype html><title>demo</title>\n"), 0o644))
	return dir
}

// The real binary: starts on a free loopback port, answers /healthz, quotes like the Go API,
// serves the pages, and on SIGTERM finishes a request still uploading before it exits 0.
func TestBinaryServesAndShutsDownGracefully(t *testing.T) {
	p := start(t, "-web", webDir(t))
	want, err := estimator.Default().Do("quote", []byte(spec))
	require.NoError(t, err)

	resp, err := http.Post(p.url+"/api/v1/quote", "application/json", strings.NewReader(spec))
	require.NoError(t, err)
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, string(want), string(got))

	resp, err = http.Get(p.url + "/")
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(page), "<title>demo</title>")
	assert.NotEmpty(t, resp.Header.Get("Content-Security-Policy"))

	// A slow upload: headers and half the body now, the rest after SIGTERM.
	conn, err := net.Dial("tcp", p.addr)
	require.NoError(t, err)
	defer conn.Close()
	half := len(spec) / 2
	_, err = io.WriteString(conn, "POST /api/v1/quote HTTP/1.1\r\nHost: "+p.addr+"\r\nContent-Type: application/json\r\n"+
		"Content-Length: "+strconv.Itoa(len(spec))+"\r\n\r\n"+spec[:half])
	require.NoError(t, err)
	time.Sleep(300 * time.Millisecond) // the server has read the headers: the connection is active

	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	// Shutdown has begun: the listener closes, but the process waits for the request in flight.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", p.addr, 200*time.Millisecond)
		if err != nil {
			break
		}
		c.Close()
		require.True(t, time.Now().Before(deadline), "listener still accepting after SIGTERM")
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	select {
	case <-p.done:
		require.Failf(t, "server exited with a request in flight", "%v\n%s", p.err, p.stderr.String())
	default:
	}

	_, err = io.WriteString(conn, spec[half:])
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	slow, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	slowBody, err := io.ReadAll(slow.Body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, slow.StatusCode)
	assert.Equal(t, string(want), string(slowBody), "the request in flight completed with the full quote")

	assert.Equal(t, 0, p.waitExit(t, 10*time.Second), "stderr:\n%s", p.stderr.String())
	logs := p.stderr.String()
	assert.Contains(t, logs, "shutting down")
	assert.Contains(t, logs, `"msg":"stopped"`)
	assert.NotContains(t, logs, "ocelot", "logs must never hold prompt text")
	assert.NotContains(t, logs, "lanterns")
}

// SIGINT stops an idle server the same way.
func TestBinarySIGINT(t *testing.T) {
	p := start(t, "-web", "")
	require.NoError(t, p.cmd.Process.Signal(os.Interrupt))
	assert.Equal(t, 0, p.waitExit(t, 10*time.Second), "stderr:\n%s", p.stderr.String())
}

// -ratecard FILE prices with that card: healthz, the card endpoint and quotes all show it.
func TestBinaryRateCardFlag(t *testing.T) {
	def := estimator.Default()
	raw := def.JSON()
	old := []byte(`"` + def.Version() + `"`)
	require.Equal(t, 1, bytes.Count(raw, old))
	cardJSON := bytes.Replace(raw, old, []byte(`"`+def.Version()+`-canary"`), 1)
	card, err := estimator.ParseRateCard(cardJSON)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "card.json")
	require.NoError(t, os.WriteFile(path, cardJSON, 0o644))

	p := start(t, "-web", "", "-ratecard", path)
	resp, err := http.Get(p.url + "/healthz")
	require.NoError(t, err)
	var h struct {
		RateCard struct{ Version, Digest string } `json:"rateCard"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&h))
	resp.Body.Close()
	assert.Equal(t, card.Version(), h.RateCard.Version)
	assert.Equal(t, card.Digest(), h.RateCard.Digest)

	resp, err = http.Get(p.url + "/api/v1/ratecard")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, `"`+card.Digest()+`"`, resp.Header.Get("ETag"))

	want, err := card.Do("quote", []byte(spec))
	require.NoError(t, err)
	resp, err = http.Post(p.url+"/api/v1/quote", "application/json", strings.NewReader(spec))
	require.NoError(t, err)
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, string(want), string(got))
}

// A rate card that does not validate stops the binary before it listens.
func TestBinaryRejectsInvalidRateCard(t *testing.T) {
	path := filepath.Join(t.TempDir(), "card.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"version":"x"}`), 0o644))
	out, err := exec.Command(buildBinary(t), "-addr", "127.0.0.1:0", "-ratecard", path).CombinedOutput()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee, "%s", out)
	assert.Equal(t, 1, ee.ExitCode())
	assert.Contains(t, string(out), "invalid_rate_card")
	assert.NotContains(t, string(out), "listening on")
}

func TestDefaultAddr(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	assert.Equal(t, "127.0.0.1:8080", defaultAddr(env(nil)))
	assert.Equal(t, ":9000", defaultAddr(env(map[string]string{"PORT": "9000"})))
	assert.Equal(t, "127.0.0.1:7000", defaultAddr(env(map[string]string{"PORT": "9000", "ADDR": "127.0.0.1:7000"})))
}

func TestRunRejectsBadFlags(t *testing.T) {
	var out, errOut bytes.Buffer
	getenv := func(string) string { return "" }
	assert.Equal(t, 2, run([]string{"-nope"}, getenv, &out, &errOut))
	assert.Equal(t, 2, run([]string{"extra"}, getenv, &out, &errOut))
	assert.Equal(t, 2, run([]string{"-log-format", "xml"}, getenv, &out, &errOut))
	assert.Equal(t, 1, run([]string{"-ratecard", filepath.Join(t.TempDir(), "missing.json")}, getenv, &out, &errOut))
	assert.Empty(t, out.String())
}

// Drain, then stop, on the real binary: keep-alive clients posting in a loop while SIGTERM
// arrives lose no request (every request written is answered), each connection ends with an
// answer carrying Connection: close, /healthz on a kept-alive connection turns 503 "draining",
// and the process exits 0. Nothing here depends on timing: the clients stop when the listener
// refuses them.
func TestBinaryDrainDropsNothingOnKeepAlive(t *testing.T) {
	p := start(t, "-web", "")
	http.DefaultClient.CloseIdleConnections()
	want, err := estimator.Default().Do("quote", []byte(spec))
	require.NoError(t, err)
	req := "POST /api/v1/quote HTTP/1.1\r\nHost: " + p.addr + "\r\nContent-Type: application/json\r\nContent-Length: " +
		strconv.Itoa(len(spec)) + "\r\n\r\n" + spec

	const clients = 16
	var mu sync.Mutex
	var sent, answered, wrong, closes int
	var wg sync.WaitGroup
	warm := make(chan struct{}, clients+1)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 0
			for {
				conn, err := net.Dial("tcp", p.addr)
				if err != nil {
					return // refused: the listener is closed, nothing was sent
				}
				br := bufio.NewReader(conn)
				for {
					if _, err := io.WriteString(conn, req); err != nil {
						break // the server closed first: nothing was read by it
					}
					mu.Lock()
					sent++
					mu.Unlock()
					_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
					resp, err := http.ReadResponse(br, nil)
					if err != nil {
						break
					}
					body, err := io.ReadAll(resp.Body)
					mu.Lock()
					if err == nil && resp.StatusCode == http.StatusOK && string(body) == string(want) {
						answered++
					} else {
						wrong++
					}
					if resp.Close {
						closes++
					}
					mu.Unlock()
					if n++; n == 10 {
						warm <- struct{}{}
					}
					if resp.Close {
						break
					}
				}
				conn.Close()
			}
		}()
	}
	// A monitor polls /healthz on one kept-alive connection until it answers not-ready.
	sawDraining := make(chan bool, 1)
	go func() {
		conn, err := net.Dial("tcp", p.addr)
		if err != nil {
			sawDraining <- false
			return
		}
		defer conn.Close()
		br := bufio.NewReader(conn)
		warm <- struct{}{}
		for {
			if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
				sawDraining <- false
				return
			}
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				sawDraining <- false
				return
			}
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode == http.StatusServiceUnavailable {
				sawDraining <- strings.Contains(string(body), `"draining"`) && resp.Close
				return
			}
		}
	}()
	for range clients + 1 {
		<-warm
	}
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	wg.Wait()
	assert.True(t, <-sawDraining, "/healthz answered 503 draining with Connection: close")
	assert.Equal(t, 0, p.waitExit(t, 30*time.Second), "stderr:\n%s", p.stderr.String())
	mu.Lock()
	defer mu.Unlock()
	t.Logf("%d requests written, %d answered, %d connections closed by Connection: close", sent, answered, closes)
	assert.Zero(t, wrong, "wrong answers")
	assert.Equal(t, sent, answered, "every request written was answered: none dropped")
	assert.GreaterOrEqual(t, closes, clients, "every client's connection was closed with Connection: close")
}

// hostileRequests are raw HTTP requests an attacker sends: every operation's worst cases and
// documents the server must refuse cheaply, plus malformed HTTP.
func hostileRequests(host string) [][]byte {
	var out [][]byte
	post := func(path string, body []byte, extra string) []byte {
		return append(fmt.Appendf(nil, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n%s\r\n",
			path, host, len(body), extra), body...)
	}
	for _, w := range estimatortest.WorstCases() {
		path := "/api/v1/" + w.Op
		if w.Op == "verify" {
			path = "/api/v1/quote/verify"
		}
		out = append(out, post(path, w.Body, ""))
	}
	wide := []byte("[" + strings.Repeat("0,", 40_000) + "0]") // 80 KB: over the body limit
	out = append(out,
		post("/api/v1/plans", wide, ""),
		post("/api/v1/quote", []byte(spec), "X-Pad: "+strings.Repeat("p", 20<<10)+"\r\n"), // headers over 16 KiB
		[]byte("POST /api/v1/quote HTTP/1.1\r\nHost: "+host+"\r\nContent-Type: application/json\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"+
			strconv.FormatInt(int64(len(spec)), 16)+"\r\n"+spec+"\r\n0\r\n\r\n"),
		[]byte("GARBAGE / HTTP/1.1\r\nHost: x\r\n\r\n"),
	)
	return out
}

// A bounded hostile load on loopback against the real binary (a few thousand requests, no
// timing in the assertions): every answer is the contract's (200, a 4xx error object, or 503
// overloaded with Retry-After), the process never answers another 5xx or dies, its peak memory
// stays bounded, and a normal client's quotes are all answered correctly (retrying after 503).
func TestBinaryHostileLoad(t *testing.T) {
	p := start(t, "-web", "", "-max-inflight", "2", "-queue-wait", "-1ns") // shed at once: 503s are likely
	reqs := hostileRequests(p.addr)
	want, err := estimator.Default().Do("quote", []byte(spec))
	require.NoError(t, err)

	const conns, perConn = 24, 24
	var mu sync.Mutex
	statuses := map[int]int{}
	var bad []string
	record := func(status int, resp *http.Response, body []byte) {
		mu.Lock()
		defer mu.Unlock()
		statuses[status]++
		okShape := status == http.StatusOK
		if !okShape && len(body) > 0 {
			var e struct{ Code, Field, Message string }
			okShape = json.Unmarshal(body, &e) == nil && e.Code != "" && e.Message != "" &&
				resp.Header.Get("Content-Security-Policy") != "" && resp.Header.Get("X-Content-Type-Options") == "nosniff"
			if status == http.StatusServiceUnavailable {
				okShape = okShape && e.Code == "overloaded" && resp.Header.Get("Retry-After") == "1"
			} else if status >= 500 {
				okShape = false
			}
		}
		if !okShape && len(bad) < 5 {
			bad = append(bad, fmt.Sprintf("%d %.200s", status, body))
		}
	}
	var wg sync.WaitGroup
	for k := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var conn net.Conn
			var br *bufio.Reader
			for i := 0; i < perConn; i++ {
				if conn == nil {
					c, err := net.Dial("tcp", p.addr)
					if err != nil {
						record(-1, nil, []byte(err.Error()))
						return
					}
					conn, br = c, bufio.NewReader(c)
				}
				_ = conn.SetDeadline(time.Now().Add(60 * time.Second))
				if _, err := conn.Write(reqs[(k+i*conns)%len(reqs)]); err != nil {
					conn.Close()
					conn = nil
					continue // the server closed first (after a 413/431/Connection: close)
				}
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					conn.Close()
					conn = nil
					continue
				}
				body, _ := io.ReadAll(resp.Body)
				record(resp.StatusCode, resp, body)
				if resp.Close {
					conn.Close()
					conn = nil
				}
			}
			if conn != nil {
				conn.Close()
			}
		}()
	}
	// A normal client quotes through the flood; after a 503 it retries.
	answered := 0
	client := &http.Client{Timeout: 60 * time.Second}
	for q := 0; q < 40; q++ {
		for attempt := 0; ; attempt++ {
			require.Less(t, attempt, 10_000, "a normal quote was never answered")
			resp, err := client.Post(p.url+"/api/v1/quote", "application/json", strings.NewReader(spec))
			if err != nil {
				continue
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusServiceUnavailable {
				continue
			}
			require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
			require.Equal(t, string(want), string(body))
			answered++
			break
		}
	}
	wg.Wait()
	assert.Equal(t, 40, answered)
	assert.Empty(t, bad, "answers outside the contract")
	t.Logf("statuses under hostile load: %v", statuses)
	for status := range statuses {
		assert.True(t, status == 200 || (status >= 400 && status < 500) || status == 503, "status %d", status)
	}

	// still healthy, and its peak memory stayed bounded
	resp, err := http.Get(p.url + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	st, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err == nil {
		for line := range strings.SplitSeq(string(st), "\n") {
			if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
				t.Logf("server peak RSS %d KiB", kb)
				assert.Less(t, kb, 150<<10, "peak resident memory (KiB)")
			}
		}
	}
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	assert.Equal(t, 0, p.waitExit(t, 30*time.Second))
}
