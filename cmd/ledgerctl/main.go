// Command ledgerctl operates a credit ledger's database.
//
//	ledgerctl reconcile [-db data/ledger.db | -db postgres://…]
//
// reconcile re-derives every bucket and hold from the append-only entries and compares them to
// the hundredth (ledger.Reconcile); it prints a summary and every disagreement, and exits 1 when
// there is one. The database defaults to $LEDGER_DB, else data/ledger.db. It is safe to run
// against a live server: it reads one consistent snapshot.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/creditestimator/creditestimator/ledger"
)

func main() { os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr)) }

func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "reconcile" {
		fmt.Fprintln(stderr, "usage: ledgerctl reconcile [-db PATH|postgres://URL]")
		return 2
	}
	fl := flag.NewFlagSet("ledgerctl reconcile", flag.ContinueOnError)
	fl.SetOutput(stderr)
	def := getenv("LEDGER_DB")
	if def == "" {
		def = "data/ledger.db"
	}
	db := fl.String("db", def, "ledger database: SQLite path or postgres:// URL (env LEDGER_DB)")
	if err := fl.Parse(args[1:]); err != nil {
		return 2
	}
	if !ledger.IsPostgresURL(*db) {
		if _, err := os.Stat(*db); err != nil {
			fmt.Fprintln(stderr, "ledgerctl:", err)
			return 1
		}
	}
	l, err := ledger.Open(context.Background(), *db, ledger.Options{})
	if err != nil {
		fmt.Fprintln(stderr, "ledgerctl:", err)
		return 1
	}
	defer l.Close()
	r, err := l.Reconcile(context.Background())
	if err != nil {
		fmt.Fprintln(stderr, "ledgerctl:", err)
		return 1
	}
	fmt.Fprintf(stdout, "accounts %d, buckets %d, holds %d, entries %d: ", r.Accounts, r.Buckets, r.Holds, r.Entries)
	if len(r.Problems) == 0 {
		fmt.Fprintln(stdout, "clean")
		return 0
	}
	fmt.Fprintf(stdout, "%d problems\n", len(r.Problems))
	for _, p := range r.Problems {
		fmt.Fprintln(stdout, p.String())
	}
	return 1
}
