// Command ledgerctl operates a credit ledger's database.
//
//	ledgerctl reconcile [-db data/ledger.db | -db postgres://…]
//	ledgerctl report -period YYYY-MM [-format text|json|csv] [-db …]
//
// reconcile re-derives every bucket and hold from the append-only entries and compares them to
// the hundredth (ledger.Reconcile); it prints a summary and every disagreement, and exits 1 when
// there is one. The database defaults to $LEDGER_DB, else data/ledger.db. It is safe to run
// against a live server: it reads one consistent snapshot.
//
// report prints the utilization report of the billing periods that began in a month (the
// same figures as GET /api/v1/reports/utilization): a summary and the distribution as text, or
// the API's JSON or CSV.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/creditestimator/creditestimator/ledger"
	"github.com/creditestimator/creditestimator/server"
)

func main() { os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr)) }

func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "reconcile" && args[0] != "report") {
		fmt.Fprintln(stderr, "usage: ledgerctl reconcile [-db PATH|postgres://URL]\n       ledgerctl report -period YYYY-MM [-format text|json|csv] [-db PATH|postgres://URL]")
		return 2
	}
	fl := flag.NewFlagSet("ledgerctl "+args[0], flag.ContinueOnError)
	fl.SetOutput(stderr)
	def := getenv("LEDGER_DB")
	if def == "" {
		def = "data/ledger.db"
	}
	db := fl.String("db", def, "ledger database: SQLite path or postgres:// URL (env LEDGER_DB)")
	var period, format *string
	if args[0] == "report" {
		period = fl.String("period", "", "the month the billing periods began in, YYYY-MM")
		format = fl.String("format", "text", "text, json or csv")
	}
	if err := fl.Parse(args[1:]); err != nil {
		return 2
	}
	var month time.Time
	if period != nil {
		var ok bool
		if month, ok = server.ParseMonth(*period); !ok || (*format != "text" && *format != "json" && *format != "csv") {
			fmt.Fprintln(stderr, "ledgerctl report: -period YYYY-MM is required; -format is text, json or csv")
			return 2
		}
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
	if period != nil {
		return report(l, month, *format, stdout, stderr)
	}
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

func report(l *ledger.Ledger, month time.Time, format string, stdout, stderr io.Writer) int {
	r, err := l.UtilizationReport(context.Background(), month)
	if err != nil {
		fmt.Fprintln(stderr, "ledgerctl:", err)
		return 1
	}
	switch format {
	case "json":
		stdout.Write(append(server.UtilizationJSON(r), '\n'))
		return 0
	case "csv":
		stdout.Write(server.UtilizationCSV(r))
		return 0
	}
	fmt.Fprintf(stdout, "billing periods begun in %s (as of %s): %d periods, %d accounts, %d ended\n",
		r.Month, r.At.Format(time.RFC3339), len(r.Periods), r.Accounts, r.PeriodsEnded)
	fmt.Fprintf(stdout, "granted %s, spent %s, expired %s, left %s: utilization %s %%\n",
		r.Granted, r.Spent, r.Expired, r.Left, estimatorPercent(r.Utilization))
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "utilization\tperiods\t")
	for _, b := range r.Bands {
		to := fmt.Sprint(b.To)
		fmt.Fprintf(tw, "%d–%s %%\t%d\t\n", b.From, to, b.Periods)
	}
	tw.Flush()
	return 0
}

// estimatorPercent formats hundredths of a percent.
func estimatorPercent(bp int64) string { return fmt.Sprintf("%d.%02d", bp/100, bp%100) }
