// Command ledgerbench measures the ledger: jobs (a hold and its settle, two transactions) per
// second and the p50/p99 latency of one job, at 1, 16 and 64 concurrent clients, on SQLite and on
// a throwaway PostgreSQL (Debian's postgresql, started and stopped here). Both run with their
// durable settings: SQLite WAL with synchronous=FULL, PostgreSQL with fsync and synchronous_commit
// on. Each client has its own account (as in production: many users), priced by the default card.
// Every measurement runs twice in the same run: with the events the ledger writes (as shipped)
// and without them (ledger.Options.NoEvents: the ledger before events), so the cost of events is
// measured on the same machine at the same time. On PostgreSQL it then measures webhook
// deliveries per second with 1 and 3 dispatchers (each its own connection pool, as separate
// server processes would have) to a receiver answering 204 at once.
//
//	ledgerbench [-json bench/out/ledger.json] [-jobs 2000] [-events 2000] [-sqlite=true] [-pg=true] [-pgconns N] [-pgurl URL]
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"sync"
	"time"

	"github.com/creditestimator/creditestimator/internal/pgtest"
	"github.com/creditestimator/creditestimator/ledger"
)

type result struct {
	Backend    string  `json:"backend"`
	Events     bool    `json:"events"`
	Clients    int     `json:"clients"`
	Jobs       int     `json:"jobs"`
	JobsPerSec float64 `json:"jobsPerSec"`
	P50Millis  float64 `json:"p50Ms"`
	P99Millis  float64 `json:"p99Ms"`
	// CPU time per job of this process and of the PostgreSQL server's processes: on a shared
	// machine throughput follows the load of others, CPU per job much less.
	GoCPUMicros float64 `json:"goCpuUsPerJob"`
	DBCPUMicros float64 `json:"dbCpuUsPerJob,omitempty"`
}

func main() {
	out := flag.String("json", "", "write the results as JSON to this file")
	jobs := flag.Int("jobs", 2000, "jobs (hold + settle) per measurement, split among the clients")
	withPG := flag.Bool("pg", true, "measure PostgreSQL")
	withSQLite := flag.Bool("sqlite", true, "measure SQLite")
	maxConns := flag.Int("pgconns", 0, "PostgreSQL connections (0: the ledger's default)")
	pgURL := flag.String("pgurl", "", "measure this PostgreSQL database instead of starting a throwaway server")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	events := flag.Int("events", 2000, "events to deliver per webhook measurement (PostgreSQL); 0: none")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fail(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fail(err)
		}
		defer pprof.StopCPUProfile()
	}
	var results []result
	dir, err := os.MkdirTemp("", "ledgerbench-")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(dir)
	var backends []struct{ name, dsn string }
	if *withSQLite {
		backends = append(backends, struct{ name, dsn string }{"sqlite", filepath.Join(dir, "ledger.db")})
	}
	if *withPG && *pgURL != "" {
		backends = append(backends, struct{ name, dsn string }{"postgres", *pgURL})
	} else if *withPG {
		srv, err := pgtest.Start(true)
		if err != nil {
			fail(fmt.Errorf("PostgreSQL: %w", err))
		}
		defer srv.Stop()
		backends = append(backends, struct{ name, dsn string }{"postgres", srv.URL()})
	}
	fmt.Printf("%-9s %6s %7s %7s %10s %8s %8s %10s %10s\n", "backend", "events", "clients", "jobs", "jobs/s", "p50 ms", "p99 ms", "Go µs/job", "PG µs/job")
	var deliveries []deliveryResult
	for _, b := range backends {
		for _, withEvents := range []bool{false, true} {
			l, err := ledger.Open(context.Background(), b.dsn, ledger.Options{MaxConns: *maxConns, NoEvents: !withEvents})
			if err != nil {
				fail(err)
			}
			for _, clients := range []int{1, 16, 64} {
				n := *jobs
				if clients == 1 {
					n = *jobs / 4
				}
				cpu0, err := cpuTimes(b.dsn)
				if err != nil {
					fail(err)
				}
				r, err := measure(l, b.name, clients, n)
				if err != nil {
					fail(err)
				}
				cpu1, err := cpuTimes(b.dsn)
				if err != nil {
					fail(err)
				}
				r.GoCPUMicros = float64((cpu1.self - cpu0.self).Microseconds()) / float64(r.Jobs)
				r.DBCPUMicros = float64(cpu1.dbSince(cpu0).Microseconds()) / float64(r.Jobs)
				r.Events = withEvents
				fmt.Printf("%-9s %6v %7d %7d %10.0f %8.2f %8.2f %10.0f %10.0f\n", r.Backend, r.Events, r.Clients, r.Jobs, r.JobsPerSec, r.P50Millis, r.P99Millis, r.GoCPUMicros, r.DBCPUMicros)
				results = append(results, r)
			}
			l.Close()
		}
		if b.name == "postgres" && *events > 0 {
			for _, n := range []int{1, 3} {
				d, err := measureDeliveries(b.dsn, n, *events)
				if err != nil {
					fail(err)
				}
				fmt.Printf("webhooks on %s: %d dispatcher(s), %d events delivered in %.2f s: %.0f events/s, %d duplicates\n",
					b.name, d.Dispatchers, d.Events, d.Seconds, d.EventsPerSec, d.Duplicates)
				deliveries = append(deliveries, d)
			}
		}
	}
	if *out != "" {
		if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
			fail(err)
		}
		b, _ := json.MarshalIndent(struct {
			Jobs     []result         `json:"jobs"`
			Webhooks []deliveryResult `json:"webhooks"`
		}{results, deliveries}, "", "  ")
		if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
			fail(err)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "ledgerbench:", err)
	os.Exit(1)
}

var seq int64
var seqMu sync.Mutex

func key() string {
	seqMu.Lock()
	defer seqMu.Unlock()
	seq++
	return fmt.Sprintf("bench-%d-%d", time.Now().UnixNano(), seq)
}

func measure(l *ledger.Ledger, backend string, clients, jobs int) (result, error) {
	ctx := context.Background()
	accounts := make([]string, clients)
	for i := range accounts {
		r, err := l.CreateAccount(ctx, ledger.Call{Scope: "op", Key: key(), RequestHash: "a"}, false)
		if err != nil {
			return result{}, err
		}
		accounts[i] = r.ID
		g := ledger.GrantRequest{Kind: "topup", Credits: 1000000_00}
		if _, err := l.Grant(ctx, ledger.Call{Scope: "op", Key: key(), RequestHash: "g"}, r.ID, g); err != nil {
			return result{}, err
		}
	}
	hold, _ := ledger.DecodeHold([]byte(`{"spec":{"resolution":"1080p","fps":30,"durationSeconds":10,"prompt":"a calm lake at dawn"}}`))
	per := jobs / clients
	lat := make([][]time.Duration, clients)
	var firstErr error
	var errMu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < per; i++ {
				t0 := time.Now()
				r, err := l.Hold(ctx, ledger.Call{Scope: "op", Key: key(), RequestHash: "h"}, accounts[c], hold)
				if err == nil {
					_, err = l.Settle(ctx, ledger.Call{Scope: "op", Key: key(), RequestHash: "s"}, r.Hold.ID)
				}
				if err != nil {
					errMu.Lock()
					firstErr = err
					errMu.Unlock()
					return
				}
				lat[c] = append(lat[c], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		return result{}, firstErr
	}
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	pct := func(p float64) float64 {
		return float64(all[int(p*float64(len(all)-1))].Microseconds()) / 1000
	}
	return result{Backend: backend, Clients: clients, Jobs: len(all), JobsPerSec: float64(len(all)) / elapsed.Seconds(), P50Millis: pct(0.50), P99Millis: pct(0.99)}, nil
}
