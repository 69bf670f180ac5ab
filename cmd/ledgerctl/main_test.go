package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/ledger"
)

func TestReconcileCommand(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.db")
	l, err := ledger.Open(context.Background(), path, ledger.Options{})
	require.NoError(t, err)
	r, err := l.CreateAccount(context.Background(), ledger.Call{Scope: "op", Key: "k", RequestHash: "h"}, false)
	require.NoError(t, err)
	require.NotEmpty(t, r.ID)
	require.NoError(t, l.Close())

	env := func(string) string { return "" }
	var out, errb bytes.Buffer
	assert.Equal(t, 0, run([]string{"reconcile", "-db", path}, env, &out, &errb), errb.String())
	assert.Contains(t, out.String(), "accounts 1, buckets 1, holds 0, entries 1: clean")

	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	_, err = db.Exec(`UPDATE buckets SET remaining = remaining - 1`)
	require.NoError(t, err)
	db.Close()
	out.Reset()
	assert.Equal(t, 1, run([]string{"reconcile", "-db", path}, env, &out, &errb))
	assert.Contains(t, out.String(), "problems")

	assert.Equal(t, 2, run(nil, env, &out, &errb))
	assert.Equal(t, 1, run([]string{"reconcile", "-db", filepath.Join(t.TempDir(), "missing.db")}, env, &out, &errb))
}

func TestReportCommand(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.db")
	now := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	l, err := ledger.Open(context.Background(), path, ledger.Options{Now: func() time.Time { return now }})
	require.NoError(t, err)
	ctx := context.Background()
	for i, use := range []int{10, 80} {
		r, err := l.CreateAccount(ctx, ledger.Call{Scope: "op", Key: fmt.Sprint("a", i), RequestHash: "h"}, false)
		require.NoError(t, err)
		g, de := ledger.DecodeGrant([]byte(`{"kind":"plan","plan":"basic","periodStart":"2026-11-01"}`))
		require.Nil(t, de)
		_, err = l.Grant(ctx, ledger.Call{Scope: "op", Key: fmt.Sprint("g", i), RequestHash: "h"}, r.ID, g)
		require.NoError(t, err)
		// use % of 550: 55 and 440 credits
		for k, left := 0, use*550/100; left > 0; k++ {
			n := min(left, 100)
			h, de := ledger.DecodeHold([]byte(fmt.Sprintf(`{"spec":{"resolution":"1080p","fps":30,"durationSeconds":10,"count":%d}}`, n)))
			require.Nil(t, de)
			held, err := l.Hold(ctx, ledger.Call{Scope: "op", Key: fmt.Sprintf("h-%d-%d", i, k), RequestHash: "h"}, r.ID, h)
			require.NoError(t, err)
			_, err = l.Settle(ctx, ledger.Call{Scope: "op", Key: fmt.Sprintf("s-%d-%d", i, k), RequestHash: "h"}, held.Hold.ID)
			require.NoError(t, err)
			left -= n
		}
	}
	require.NoError(t, l.Close())
	env := func(string) string { return "" }
	var out, errb bytes.Buffer
	require.Equal(t, 0, run([]string{"report", "-db", path, "-period", "2026-11"}, env, &out, &errb), errb.String())
	assert.Contains(t, out.String(), "2 periods, 2 accounts, 2 ended")
	assert.Contains(t, out.String(), "granted 1100.00, spent 495.00, expired 605.00, left 0.00: utilization 45.00 %")
	assert.Regexp(t, `10–30 %\s+1`, out.String())
	assert.Regexp(t, `70–100 %\s+1`, out.String())
	out.Reset()
	require.Equal(t, 0, run([]string{"report", "-db", path, "-period", "2026-11", "-format", "csv"}, env, &out, &errb))
	assert.True(t, strings.HasPrefix(out.String(), "account,plan,start,"))
	out.Reset()
	require.Equal(t, 0, run([]string{"report", "-db", path, "-period", "2026-11", "-format", "json"}, env, &out, &errb))
	assert.Contains(t, out.String(), `"period":"2026-11"`)
	assert.Equal(t, 2, run([]string{"report", "-db", path}, env, &out, &errb))
	assert.Equal(t, 2, run([]string{"report", "-db", path, "-period", "2026-11", "-format", "xml"}, env, &out, &errb))
}

// ledgerctl reconcile checks reversals: a void without its actor is a problem.
func TestReconcileCommandChecksReversals(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ledger.db")
	l, err := ledger.Open(ctx, path, ledger.Options{})
	require.NoError(t, err)
	r, err := l.CreateAccount(ctx, ledger.Call{Scope: "op", Key: "k", RequestHash: "h"}, false)
	require.NoError(t, err)
	_, err = l.Void(ctx, ledger.Call{Scope: "op", Key: "v", RequestHash: "v"}, r.ID, r.Buckets[0].ID, ledger.Reversal{Reason: "correction", Actor: "ops"})
	require.NoError(t, err)
	require.NoError(t, l.Close())
	env := func(string) string { return "" }
	var out, errb bytes.Buffer
	assert.Equal(t, 0, run([]string{"reconcile", "-db", path}, env, &out, &errb), errb.String())
	assert.Contains(t, out.String(), "entries 2: clean")

	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	_, err = db.Exec(`UPDATE entries SET actor = '' WHERE type = 'void'`)
	require.NoError(t, err)
	db.Close()
	out.Reset()
	assert.Equal(t, 1, run([]string{"reconcile", "-db", path}, env, &out, &errb))
	assert.Contains(t, out.String(), "without a reason and an actor")
}
