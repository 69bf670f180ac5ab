package ledger

import (
	"context"
	"encoding/json"
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

func decode(t testing.TB, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m), string(b))
	return m
}

func (e *env) account() string {
	r, err := e.l.CreateAccount(context.Background(), e.call("op", nil), false)
	require.NoError(e.t, err)
	return r.ID
}

func (e *env) grant(account, body string) Response {
	g, de := DecodeGrant([]byte(body))
	require.Nil(e.t, de)
	r, err := e.l.Grant(context.Background(), e.call("op", []byte(body)), account, g)
	return viewGrant(e.t, r, err)
}

const spec1 = `{"resolution":"1080p","fps":30,"durationSeconds":10}` // 1.00 credit

// specOf returns a spec costing n whole credits (count n of the 1.00 reference).
func specOf(n int) string {
	return fmt.Sprintf(`{"resolution":"1080p","fps":30,"durationSeconds":10,"count":%d}`, n)
}

func (e *env) hold(account, body string) Response {
	h, de := DecodeHold([]byte(body))
	require.Nil(e.t, de, body)
	r, err := e.l.Hold(context.Background(), e.call("op", []byte(body)), account, h)
	return viewHold(e.t, r, err)
}

func holdID(t testing.TB, r Response) string {
	t.Helper()
	require.Equal(t, 201, r.Status, string(r.Body))
	return decode(t, r.Body)["hold"].(map[string]any)["id"].(string)
}

func (e *env) settle(id string) Response {
	r, err := e.l.Settle(context.Background(), e.call("op", []byte(id)), id)
	return viewSettle(e.t, r, err)
}

func (e *env) release(id string) Response {
	r, err := e.l.Release(context.Background(), e.call("op", []byte(id+"r")), id)
	return viewRelease(e.t, r, err)
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
