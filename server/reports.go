package server

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strconv"
	"time"

	"github.com/creditestimator/creditestimator/estimator"
	"github.com/creditestimator/creditestimator/ledger"
)

// Reports (docs/ledger.md, "Reports"): an account's billing periods, the operator's
// utilization report (JSON, or CSV with Accept: text/csv) and past balances — all read from
// the ledger's entries.

// percent formats hundredths of a percent: 8750 → "87.50".
func percent(bp int64) string { return estimator.Credits(bp).String() }

type periodJSON struct {
	Account     string `json:"account,omitempty"`
	Plan        string `json:"plan"`
	Start       string `json:"start"`
	End         string `json:"end"`
	Ended       bool   `json:"ended"`
	Granted     string `json:"granted"`
	Spent       string `json:"spent"`
	Expired     string `json:"expired"`
	Left        string `json:"left"`
	Reversed    string `json:"reversed"`
	Utilization string `json:"utilization"`
}

func periodValue(p ledger.PeriodUsage, withAccount bool) periodJSON {
	j := periodJSON{Plan: p.Plan, Start: jsonTime(p.Start), End: jsonTime(p.End), Ended: p.Ended,
		Granted: p.Granted.String(), Spent: p.Spent.String(), Expired: p.Expired.String(), Left: p.Left.String(),
		Reversed: p.Other.String(), Utilization: percent(p.Utilization)}
	if withAccount {
		j.Account = p.Account
	}
	return j
}

type bandJSON struct {
	From    int    `json:"from"`
	To      int    `json:"to"`
	Label   string `json:"label"`
	Periods int    `json:"periods"`
}

type utilizationJSON struct {
	Period       string       `json:"period"`
	At           string       `json:"at"`
	Accounts     int          `json:"accounts"`
	PeriodsEnded int          `json:"periodsEnded"`
	Granted      string       `json:"granted"`
	Spent        string       `json:"spent"`
	Expired      string       `json:"expired"`
	Left         string       `json:"left"`
	Utilization  string       `json:"utilization"`
	Distribution []bandJSON   `json:"distribution"`
	Periods      []periodJSON `json:"periods"`
}

// UtilizationJSON is the utilization report's JSON body.
func UtilizationJSON(r ledger.Utilization) []byte {
	j := utilizationJSON{Period: r.Month, At: jsonTime(r.At), Accounts: r.Accounts, PeriodsEnded: r.PeriodsEnded,
		Granted: r.Granted.String(), Spent: r.Spent.String(), Expired: r.Expired.String(), Left: r.Left.String(),
		Utilization: percent(r.Utilization), Distribution: []bandJSON{}, Periods: []periodJSON{}}
	for _, b := range r.Bands {
		j.Distribution = append(j.Distribution, bandJSON{b.From, b.To, bandLabel(b), b.Periods})
	}
	for _, p := range r.Periods {
		j.Periods = append(j.Periods, periodValue(p, true))
	}
	return marshal(j)
}

func bandLabel(b ledger.UtilizationBand) string {
	if b.To == 100 {
		return strconv.Itoa(b.From) + "–100 %"
	}
	return strconv.Itoa(b.From) + "–" + strconv.Itoa(b.To) + " %"
}

// UtilizationCSV is the report as CSV: one line per period, then the distribution.
func UtilizationCSV(r ledger.Utilization) []byte {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	_ = cw.Write([]string{"account", "plan", "start", "end", "ended", "granted", "spent", "expired", "left", "reversed", "utilization"})
	for _, p := range r.Periods {
		j := periodValue(p, true)
		_ = cw.Write([]string{j.Account, j.Plan, j.Start, j.End, strconv.FormatBool(j.Ended), j.Granted, j.Spent, j.Expired, j.Left, j.Reversed, j.Utilization})
	}
	cw.Flush()
	buf.WriteString("\n")
	cw = csv.NewWriter(&buf)
	_ = cw.Write([]string{"utilization", "periods"})
	for _, b := range r.Bands {
		_ = cw.Write([]string{bandLabel(b), strconv.Itoa(b.Periods)})
	}
	cw.Flush()
	return buf.Bytes()
}

// ParseMonth reads YYYY-MM.
func ParseMonth(s string) (time.Time, bool) {
	t, err := time.Parse("2006-01", s)
	return t, err == nil && len(s) == 7
}

func (a *ledgerAPI) reportRoutes() {
	handle(a.mux, endpoint{pattern: "GET /api/v1/reports/utilization", serve: a.operator(a.utilization)})
	handle(a.mux, endpoint{pattern: "GET /api/v1/accounts/{id}/usage", valid: validIDPath, serve: a.forAccount(a.usage)})
	a.mux.HandleFunc("/api/v1/reports/", func(w http.ResponseWriter, r *http.Request) { ledgerNotFound(w, "endpoint") })
}

func (a *ledgerAPI) utilization(w http.ResponseWriter, r *http.Request) {
	m, ok := ParseMonth(r.URL.Query().Get("period"))
	if !ok {
		ledgerError(w, estimator.CodeInvalidDate, "period", "must be a month, YYYY-MM")
		return
	}
	rep, err := a.l.UtilizationReport(r.Context(), m)
	if err != nil {
		a.internal(w, err)
		return
	}
	if ledgerWantsCSV(r.Header.Get("Accept")) {
		b := UtilizationCSV(rep)
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(b)
		return
	}
	writeJSON(w, http.StatusOK, UtilizationJSON(rep))
}

func (a *ledgerAPI) usage(w http.ResponseWriter, r *http.Request, _ ledgerCaller, id string) {
	us, ok, err := a.l.Usage(r.Context(), id)
	if err != nil {
		a.internal(w, err)
		return
	}
	if !ok {
		ledgerNotFound(w, "account")
		return
	}
	out := make([]periodJSON, len(us))
	for i, u := range us {
		out[i] = periodValue(u, false)
	}
	writeJSON(w, http.StatusOK, marshal(struct {
		Account string       `json:"account"`
		At      string       `json:"at"`
		Periods []periodJSON `json:"periods"`
	}{id, jsonTime(a.l.Now()), out}))
}

type pastBucketJSON struct {
	ID      string `json:"id"`
	Kind    string `json:"kind"`
	Credits string `json:"credits"`
	Held    string `json:"held"`
	Expires string `json:"expires"`
}

// balanceAt answers GET /accounts/{id}/balance?at=…: the balance at a past instant.
func (a *ledgerAPI) balanceAt(w http.ResponseWriter, r *http.Request, id string) {
	at, ok := ledger.ParseInstant(r.URL.Query().Get("at"))
	if !ok {
		ledgerError(w, estimator.CodeInvalidDate, "at", "must be an RFC 3339 time or a YYYY-MM-DD date")
		return
	}
	if at.After(a.l.Now()) {
		ledgerError(w, estimator.CodeInvalidDate, "at", "must not be in the future (the balance now has no at=)")
		return
	}
	b, found, err := a.l.BalanceAt(r.Context(), id, at)
	if err != nil {
		a.internal(w, err)
		return
	}
	if !found {
		ledgerNotFound(w, "account")
		return
	}
	bs := make([]pastBucketJSON, len(b.Buckets))
	for i, x := range b.Buckets {
		bs[i] = pastBucketJSON{x.ID, x.Kind, x.Available.String(), x.Held.String(), jsonTime(x.Expires)}
	}
	writeJSON(w, http.StatusOK, marshal(struct {
		Account   string           `json:"account"`
		At        string           `json:"at"`
		Available string           `json:"available"`
		Held      string           `json:"held"`
		Buckets   []pastBucketJSON `json:"buckets"`
	}{id, jsonTime(b.At), b.Available.String(), b.Held.String(), bs}))
}
