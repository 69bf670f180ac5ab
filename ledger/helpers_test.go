package ledger

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/estimator"
	"github.com/creditestimator/creditestimator/internal/pgtest"
)

// pg is the package's throwaway PostgreSQL.
var pg pgtest.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	pg.Stop()
	os.Exit(code)
}

// postgresURL returns a fresh database on the package's throwaway PostgreSQL. Outside CI a
// machine without PostgreSQL skips; in CI (CI=true) it fails.
func postgresURL(t testing.TB) string { return pg.NewDatabase(t) }

// clock is a settable server clock.
type clock struct{ us atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.us.Store(time.Date(2026, 11, 10, 12, 0, 0, 0, time.UTC).UnixMicro())
	return c
}
func (c *clock) Now() time.Time               { return time.UnixMicro(c.us.Load()).UTC() }
func (c *clock) Add(d time.Duration)          { c.us.Add(d.Microseconds()) }
func (c *clock) Set(t time.Time)              { c.us.Store(t.UnixMicro()) }
func (c *clock) at(d time.Duration) time.Time { return c.Now().Add(d) }

// cardWithTrial is the default card with another trial grant.
func cardWithTrial(t testing.TB, credits string) *estimator.RateCard {
	t.Helper()
	raw := string(estimator.Default().JSON())
	raw = strings.Replace(raw, `"trial": { "credits": "100"`, `"trial": { "credits": "`+credits+`"`, 1)
	c, err := estimator.ParseRateCard([]byte(raw))
	require.NoError(t, err)
	require.Equal(t, credits, c.Trial().Credits.String()[:len(credits)])
	return c
}

type backend struct {
	name string
	dsn  func(t testing.TB) string
}

var backends = []backend{
	{"sqlite", func(t testing.TB) string { return filepath.Join(t.TempDir(), "ledger.db") }},
	{"postgres", postgresURL},
}

// env is one ledger under test with its clock.
type env struct {
	t     *testing.T
	l     *Ledger
	clock *clock
	n     atomic.Int64
}

// each runs fn against SQLite and PostgreSQL alike.
func each(t *testing.T, fn func(t *testing.T, open func(Options) *env)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			dsn := b.dsn(t)
			fn(t, func(o Options) *env {
				c := newClock()
				if o.Now == nil {
					o.Now = c.Now
				}
				l, err := Open(context.Background(), dsn, o)
				require.NoError(t, err)
				t.Cleanup(func() { l.Close() })
				return &env{t: t, l: l, clock: c}
			})
		})
	}
}

func (e *env) call(scope string, body []byte) Call {
	return Call{Scope: scope, Key: fmt.Sprintf("k-%d-%d", time.Now().UnixNano(), e.n.Add(1)), RequestHash: HashRequest("POST", "/x", body)}
}

// refusal is a call's *Error, or nil when the call succeeded; any other error fails the test.
func refusal(t testing.TB, err error) *Error {
	t.Helper()
	if err == nil {
		return nil
	}
	var e *Error
	require.ErrorAs(t, err, &e)
	return e
}

// codeOf is the code of a call's refusal, "" when it succeeded.
func codeOf(t testing.TB, err error) string {
	t.Helper()
	if e := refusal(t, err); e != nil {
		return e.Code
	}
	return ""
}

func (e *env) account() string {
	r, err := e.l.CreateAccount(context.Background(), e.call("op", nil), false)
	require.NoError(e.t, err)
	return r.ID
}

func (e *env) grant(account, body string) (Granted, error) {
	g, de := DecodeGrant([]byte(body))
	require.Nil(e.t, de)
	return e.l.Grant(context.Background(), e.call("op", []byte(body)), account, g)
}

func (e *env) mustGrant(account, body string) Granted {
	e.t.Helper()
	g, err := e.grant(account, body)
	require.NoError(e.t, err, body)
	return g
}

const spec1 = `{"resolution":"1080p","fps":30,"durationSeconds":10}` // 1.00 credit

// specOf returns a spec costing n whole credits (count n of the 1.00 reference).
func specOf(n int) string {
	return fmt.Sprintf(`{"resolution":"1080p","fps":30,"durationSeconds":10,"count":%d}`, n)
}

func (e *env) hold(account, body string) (Held, error) {
	h, de := DecodeHold([]byte(body))
	require.Nil(e.t, de, body)
	return e.l.Hold(context.Background(), e.call("op", []byte(body)), account, h)
}

// mustHold makes a hold that must succeed.
func (e *env) mustHold(account, body string) Hold {
	e.t.Helper()
	h, err := e.hold(account, body)
	require.NoError(e.t, err, body)
	return h.Hold
}

func (e *env) settle(id string) (Closed, error) {
	return e.l.Settle(context.Background(), e.call("op", []byte(id)), id)
}

func (e *env) release(id string) (Closed, error) {
	return e.l.Release(context.Background(), e.call("op", []byte(id+"r")), id)
}

func (e *env) mustSettle(id string) Closed {
	e.t.Helper()
	c, err := e.settle(id)
	require.NoError(e.t, err)
	return c
}

func (e *env) mustRelease(id string) Closed {
	e.t.Helper()
	c, err := e.release(id)
	require.NoError(e.t, err)
	return c
}

// draws lists a hold's draws as "kind:credits".
func draws(ds []Draw) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, d.Kind+":"+d.Credits.String())
	}
	return out
}

func (e *env) balance(account string) Balance {
	b, ok, err := e.l.Balance(context.Background(), account)
	require.NoError(e.t, err)
	require.True(e.t, ok)
	return b
}

func (e *env) reconcileClean() {
	e.t.Helper()
	r, err := e.l.Reconcile(context.Background())
	require.NoError(e.t, err)
	require.Empty(e.t, r.Problems)
}
