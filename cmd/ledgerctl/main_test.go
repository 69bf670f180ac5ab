package main

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"testing"

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
