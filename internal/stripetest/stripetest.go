// Package stripetest starts Stripe's official API mock, stripe-mock, for tests: the binary on
// PATH or in $GOPATH/bin, else installed with `go install github.com/stripe/stripe-mock@` +
// Version (about a minute the first time), listening on a free loopback port, stopped after.
//
// stripe-mock validates requests against Stripe's OpenAPI spec and answers with fixtures: it is
// stateless and never sends webhooks, so tests check what they send to it and drive grants
// from webhook payloads they sign themselves (webhook.GenerateTestSignedPayload).
//
// When it cannot be started, callers skip only outside CI: with CI=true a missing stripe-mock
// is a failure, never a skip (as internal/pgtest does for PostgreSQL).
package stripetest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Version is the stripe-mock the tests run.
const Version = "v0.203.0"

// Mock is a running stripe-mock.
type Mock struct {
	URL string // http://127.0.0.1:PORT
	cmd *exec.Cmd
}

// InCI reports whether the environment says this is CI (CI=true), where nothing may be skipped.
func InCI() bool { v := os.Getenv("CI"); return v == "true" || v == "1" }

var installMu sync.Mutex

// Binary finds stripe-mock, installing it with the go command when it is missing.
func Binary() (string, error) {
	if p, err := exec.LookPath("stripe-mock"); err == nil {
		return p, nil
	}
	gobin := os.Getenv("GOBIN")
	if gobin == "" {
		out, err := exec.Command("go", "env", "GOPATH").Output()
		if err != nil {
			return "", fmt.Errorf("go env GOPATH: %w", err)
		}
		gobin = filepath.Join(strings.Split(strings.TrimSpace(string(out)), string(os.PathListSeparator))[0], "bin")
	}
	bin := filepath.Join(gobin, "stripe-mock")
	installMu.Lock()
	defer installMu.Unlock()
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	cmd := exec.Command("go", "install", "github.com/stripe/stripe-mock@"+Version)
	// Installed as a tool of its own, not as a dependency of this module.
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off")
	cmd.Dir = os.TempDir()
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go install github.com/stripe/stripe-mock@%s: %v\n%s", Version, err, out)
	}
	return bin, nil
}

// Start runs stripe-mock on a free loopback port.
func Start() (*Mock, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "-http-addr", addr)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	m := &Mock{URL: "http://" + addr, cmd: cmd}
	// Loading the spec takes a moment: wait until it accepts connections.
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return m, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	m.Stop()
	return nil, errors.New("stripe-mock did not start listening within 60 s")
}

// Stop ends the mock.
func (m *Mock) Stop() {
	if m == nil || m.cmd == nil || m.cmd.Process == nil {
		return
	}
	_ = m.cmd.Process.Kill()
	_ = m.cmd.Wait()
}

// Shared is one stripe-mock shared by a package's tests, started on first use.
type Shared struct {
	once sync.Once
	mock *Mock
	err  error
}

// URL returns the shared mock's URL, starting it on first use. It skips the test when the
// mock cannot run outside CI, and fails it in CI.
func (s *Shared) URL(t testing.TB) string {
	t.Helper()
	s.once.Do(func() { s.mock, s.err = Start() })
	if s.err != nil {
		if InCI() {
			t.Fatalf("stripe-mock is required in CI: %v", s.err)
		}
		t.Skipf("stripe-mock unavailable: %v", s.err)
	}
	return s.mock.URL
}

// Stop stops the shared mock if it was started.
func (s *Shared) Stop() { s.mock.Stop() }
