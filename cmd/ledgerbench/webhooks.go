package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/creditestimator/creditestimator/ledger"
	"github.com/creditestimator/creditestimator/server"
)

type deliveryResult struct {
	Backend      string  `json:"backend"`
	Dispatchers  int     `json:"dispatchers"`
	Events       int     `json:"events"`
	Seconds      float64 `json:"seconds"`
	EventsPerSec float64 `json:"eventsPerSec"`
	Duplicates   int     `json:"duplicates"`
}

// measureDeliveries writes events (accounts with a trial and top-ups: 10 events per account, so
// per-account order matters) for a new endpoint, then times dispatchers — each with its own
// ledger and connection pool, as separate processes — delivering all of them to a receiver that
// answers 204 at once.
func measureDeliveries(dsn string, dispatchers, events int) (deliveryResult, error) {
	ctx := context.Background()
	var mu sync.Mutex
	seen := map[string]bool{}
	dups := 0
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("webhook-id")
		mu.Lock()
		if seen[id] {
			dups++
		}
		seen[id] = true
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer recv.Close()
	l, err := ledger.Open(ctx, dsn, ledger.Options{})
	if err != nil {
		return deliveryResult{}, err
	}
	defer l.Close()
	// Earlier measurements' events are not for this endpoint: fanned out to nobody first.
	if _, err := l.FanOut(ctx); err != nil {
		return deliveryResult{}, err
	}
	if _, err := l.CreateEndpoint(ctx, recv.URL); err != nil {
		return deliveryResult{}, err
	}
	written := 0
	for written < events {
		a, err := l.CreateAccount(ctx, ledger.Call{Scope: "op", Key: key(), RequestHash: "a"}, false)
		if err != nil {
			return deliveryResult{}, err
		}
		written++
		for i := 0; i < 9 && written < events; i++ {
			if _, err := l.Grant(ctx, ledger.Call{Scope: "op", Key: key(), RequestHash: "g"}, a.ID, ledger.GrantRequest{Kind: "topup", Credits: 100_00}); err != nil {
				return deliveryResult{}, err
			}
			written++
		}
	}
	var ds []*server.Dispatcher
	for i := 0; i < dispatchers; i++ {
		dl, err := ledger.Open(ctx, dsn, ledger.Options{})
		if err != nil {
			return deliveryResult{}, err
		}
		defer dl.Close()
		ds = append(ds, &server.Dispatcher{Ledger: dl, Worker: fmt.Sprint("bench-", i), Batch: 32})
	}
	start := time.Now()
	done := func() bool { mu.Lock(); defer mu.Unlock(); return len(seen) >= written }
	var wg sync.WaitGroup
	var firstErr error
	var errMu sync.Mutex
	for _, d := range ds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !done() {
				if _, err := d.RunOnce(ctx); err != nil {
					errMu.Lock()
					firstErr = err
					errMu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return deliveryResult{}, firstErr
	}
	el := time.Since(start)
	return deliveryResult{Backend: "postgres", Dispatchers: dispatchers, Events: written, Seconds: el.Seconds(),
		EventsPerSec: float64(written) / el.Seconds(), Duplicates: dups}, nil
}
