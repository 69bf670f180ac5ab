package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/ledger"
)

func TestReportsOverHTTP(t *testing.T) {
	for _, b := range ledgerBackends {
		t.Run(b.name, func(t *testing.T) {
			e := newHookEnv(t, b.dsn(t))
			e.month(func(int) {})
			a := e.accts[0]
			s := e.s

			r := s.do("GET", "/api/v1/reports/utilization?period=2026-11", testOperatorKey, "")
			require.Equal(t, 200, r.status, string(r.body))
			rep, err := e.l.UtilizationReport(context.Background(), time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
			require.NoError(t, err)
			assert.JSONEq(t, string(UtilizationJSON(rep)), string(r.body))
			m := r.json(t)
			assert.Equal(t, "2026-11", m["period"])
			require.Len(t, m["periods"], 1)
			p := m["periods"].([]any)[0].(map[string]any)
			assert.Equal(t, a, p["account"])
			assert.Equal(t, "550.00", p["granted"])
			assert.Equal(t, true, p["ended"])
			dist := m["distribution"].([]any)
			require.Len(t, dist, 5)
			assert.Equal(t, "70–100 %", dist[4].(map[string]any)["label"])

			r = s.do("GET", "/api/v1/reports/utilization?period=2026-11", testOperatorKey, "", "Accept", "text/csv")
			require.Equal(t, 200, r.status)
			assert.Equal(t, "text/csv; charset=utf-8", r.header.Get("Content-Type"))
			lines := strings.Split(string(r.body), "\n")
			assert.Equal(t, "account,plan,start,end,ended,granted,spent,expired,left,reversed,utilization", lines[0])
			assert.True(t, strings.HasPrefix(lines[1], a+",basic,2026-11-01T00:00:00Z,2026-12-01T00:00:00Z,true,550.00,"), lines[1])
			assert.Contains(t, string(r.body), "utilization,periods\n0–10 %,")

			// Account tokens cannot read the operator's report; bad periods are 422.
			_, tok := s.account()
			assert.Equal(t, 403, s.do("GET", "/api/v1/reports/utilization?period=2026-11", tok, "").status)
			assert.Equal(t, 422, s.do("GET", "/api/v1/reports/utilization?period=2026-13", testOperatorKey, "").status)
			assert.Equal(t, 422, s.do("GET", "/api/v1/reports/utilization", testOperatorKey, "").status)

			// The account's periods.
			r = s.do("GET", "/api/v1/accounts/"+a+"/usage", testOperatorKey, "")
			require.Equal(t, 200, r.status, string(r.body))
			assert.Len(t, r.json(t)["periods"], 1)

			// Balance at past instants: the start (trial only), after the plan, now.
			r = s.do("GET", "/api/v1/accounts/"+a+"/balance?at=2026-10-31T23:59:59Z", testOperatorKey, "")
			require.Equal(t, 200, r.status, string(r.body))
			assert.Equal(t, "0.00", r.json(t)["available"])
			r = s.do("GET", "/api/v1/accounts/"+a+"/balance?at=2026-11-01", testOperatorKey, "")
			require.Equal(t, 200, r.status, string(r.body))
			assert.Equal(t, "647.00", r.json(t)["available"], "the trial and the plan, less day 1's job at that instant")
			past, _, err := e.l.BalanceAt(context.Background(), a, time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC))
			require.NoError(t, err)
			r = s.do("GET", "/api/v1/accounts/"+a+"/balance?at=2026-11-15T00:00:00Z", testOperatorKey, "")
			assert.Equal(t, past.Available.String(), r.json(t)["available"])
			assert.Equal(t, 422, s.do("GET", "/api/v1/accounts/"+a+"/balance?at=2099-01-01", testOperatorKey, "").status)
			assert.Equal(t, 422, s.do("GET", "/api/v1/accounts/"+a+"/balance?at=yesterday", testOperatorKey, "").status)
			assert.Equal(t, 404, s.do("GET", "/api/v1/accounts/"+a+"/balance?at=2026-11-01", tok, "").status)
			_ = ledger.EventBalanceLow
		})
	}
}
