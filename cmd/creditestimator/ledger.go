package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/creditestimator/creditestimator/estimator"
	"github.com/creditestimator/creditestimator/ledger"
	"github.com/creditestimator/creditestimator/server"
)

// ledgerFlags are the command line's ledger settings (docs/ledger.md).
type ledgerFlags struct {
	data, db, keyFile string
	demo              bool
	signupsPerMinute  int
	holdTTL           time.Duration
	maxHoldTTL        time.Duration
	idemTTL           time.Duration
	maxInFlight       int
	queueWait         time.Duration
	webhooks          bool
	webhookTimeout    time.Duration
	webhookLease      time.Duration
	expiringLead      time.Duration
	sweepEvery        time.Duration
}

func addLedgerFlags(fl *flag.FlagSet, getenv func(string) string) *ledgerFlags {
	f := &ledgerFlags{}
	fl.StringVar(&f.data, "data", "", "data folder of the ledger: SQLite database and development operator key (make run: ./data); empty and no -ledger-db: no ledger")
	fl.StringVar(&f.db, "ledger-db", getenv("LEDGER_DB"), "ledger database: a SQLite file path or a postgres:// URL (env LEDGER_DB); default DATA/ledger.db")
	fl.StringVar(&f.keyFile, "operator-key-file", "", "file holding the ledger operator key (else env LEDGER_OPERATOR_KEY, else a development key in the data folder)")
	fl.BoolVar(&f.demo, "demo", false, "demo mode: serve the rate-limited demo sign-up (POST /api/v1/demo/signup) and let demo accounts buy top-ups by a simulated payment (make run passes it); never in production")
	fl.DurationVar(&f.maxHoldTTL, "hold-ttl-max", ledger.DefaultMaxHoldTTL, "the longest TTL a hold may ask for (ttlSeconds) or be extended to")
	fl.DurationVar(&f.idemTTL, "idempotency-ttl", ledger.DefaultIdempotencyTTL, "how long Idempotency-Keys are kept (payment references are kept forever)")
	fl.IntVar(&f.signupsPerMinute, "demo-signups-per-minute", 5, "demo sign-ups allowed per client address a minute (the whole server allows 20 times that)")
	fl.DurationVar(&f.holdTTL, "hold-ttl", ledger.DefaultHoldTTL, "how long a hold stays open before it is released automatically")
	fl.IntVar(&f.maxInFlight, "ledger-max-inflight", envInt(getenv, "LEDGER_MAX_INFLIGHT", 0), "ledger requests running at once before others wait and get 503 (env LEDGER_MAX_INFLIGHT; 0: server.DefaultLedgerMaxInFlight; -1: no limit)")
	fl.DurationVar(&f.queueWait, "ledger-queue-wait", server.DefaultLedgerQueueWait, "how long a ledger request waits for a slot before 503")
	fl.BoolVar(&f.webhooks, "webhooks", true, "deliver the ledger's events to its webhook endpoints from this process (several processes share the work)")
	fl.DurationVar(&f.webhookTimeout, "webhook-timeout", 10*time.Second, "how long a webhook endpoint has to answer one delivery")
	fl.DurationVar(&f.webhookLease, "webhook-lease", 0, "how long a claimed delivery is this process's before another may send it again (0: twice -webhook-timeout plus 10s); must exceed -webhook-timeout")
	fl.DurationVar(&f.expiringLead, "expiring-lead", ledger.DefaultExpiringLead, "send credits.expiring this long before a bucket expires")
	fl.DurationVar(&f.sweepEvery, "sweep-every", 30*time.Second, "how often the sweeper (one process at a time) releases stale holds, expires credits and sends credits.expiring")
	return f
}

// openLedger opens the ledger the flags name, or returns nil when none is configured.
func openLedger(ctx context.Context, f *ledgerFlags, getenv func(string) string, card *estimator.RateCard, stdout io.Writer, logger *slog.Logger) (*server.LedgerConfig, func(), error) {
	dsn := f.db
	if dsn == "" && f.data != "" {
		dsn = filepath.Join(f.data, "ledger.db")
	}
	if dsn == "" {
		return nil, func() {}, nil
	}
	key, err := operatorKey(f, getenv, stdout)
	if err != nil {
		return nil, nil, err
	}
	// Tokens are derived from the operator key (with a salt per account), so a retried account
	// creation answers its token again; after the key changes, such a retry answers "token": null.
	l, err := ledger.Open(ctx, dsn, ledger.Options{Card: card, HoldTTL: f.holdTTL, MaxHoldTTL: f.maxHoldTTL,
		IdempotencyTTL: f.idemTTL, TokenKey: []byte(key), ExpiringLead: f.expiringLead})
	if err != nil {
		return nil, nil, fmt.Errorf("ledger: %w", err)
	}
	where := dsn
	if ledger.IsPostgresURL(dsn) {
		where = "postgres"
	}
	logger.Info("ledger", "db", where, "dialect", l.Dialect().String(), "demo", f.demo, "holdTTL", f.holdTTL.String())
	// Holds past their deadline are released, and expired credits expire, on the next call on
	// their account anyway; the sweeper keeps untouched accounts' statements current too, and
	// sends credits.expiring. Processes sharing a database take turns: the sweeper runs only
	// while this process holds the "sweeper" lease (renewed every round, lost when it dies).
	host, _ := os.Hostname()
	worker := fmt.Sprintf("%s:%d", host, os.Getpid())
	sctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	go func() {
		defer func() { done <- struct{}{} }()
		t := time.NewTicker(f.sweepEvery)
		defer t.Stop()
		for {
			select {
			case <-sctx.Done():
				return
			case <-t.C:
				mine, err := l.TryLease(sctx, "sweeper", worker, 3*f.sweepEvery)
				if err == nil && mine {
					_, err = l.Sweep(sctx)
				}
				if err != nil && sctx.Err() == nil {
					logger.Warn("ledger sweep", "error", err.Error())
				}
			}
		}
	}()
	if f.webhooks {
		d := &server.Dispatcher{Ledger: l, Worker: worker, Client: &http.Client{Timeout: f.webhookTimeout, CheckRedirect: server.NoRedirects},
			Lease: f.webhookLease, Log: logger}
		if d.Lease <= f.webhookTimeout {
			d.Lease = 2*f.webhookTimeout + 10*time.Second
		}
		go func() {
			defer func() { done <- struct{}{} }()
			d.Run(sctx, time.Second)
		}()
	} else {
		done <- struct{}{}
	}
	closeFn := func() {
		cancel()
		<-done
		<-done
		_ = l.Close()
	}
	cfg := &server.LedgerConfig{Ledger: l, OperatorKey: key, DemoSignup: f.demo, SignupsPerMinute: f.signupsPerMinute,
		MaxInFlight: f.maxInFlight, QueueWait: f.queueWait}
	// Stripe: on when both secrets are set; then the top-up button buys through Checkout.
	sk, whsec := strings.TrimSpace(getenv("STRIPE_SECRET_KEY")), strings.TrimSpace(getenv("STRIPE_WEBHOOK_SECRET"))
	switch {
	case sk != "" && whsec != "":
		cfg.Stripe = &server.StripeConfig{SecretKey: sk, WebhookSecret: whsec, APIBase: strings.TrimSpace(getenv("STRIPE_API_BASE"))}
		logger.Info("payments", "provider", "stripe", "apiBase", cfg.Stripe.APIBase)
	case sk != "" || whsec != "":
		closeFn()
		return nil, nil, errors.New("Stripe needs both STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET")
	case f.demo:
		logger.Info("payments", "provider", "none: the demo's top-ups are a simulated payment")
	}
	return cfg, closeFn, nil
}

// operatorKey finds the operator key: -operator-key-file, else LEDGER_OPERATOR_KEY, else the
// development key in the data folder (created on first run, mode 0600).
func operatorKey(f *ledgerFlags, getenv func(string) string, stdout io.Writer) (string, error) {
	if f.keyFile != "" {
		b, err := os.ReadFile(f.keyFile)
		if err != nil {
			return "", fmt.Errorf("operator key: %w", err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	if k := strings.TrimSpace(getenv("LEDGER_OPERATOR_KEY")); k != "" {
		return k, nil
	}
	if f.data == "" {
		return "", errors.New("the ledger needs an operator key: set LEDGER_OPERATOR_KEY or -operator-key-file (or -data for a development key)")
	}
	path := filepath.Join(f.data, "operator-key")
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		var raw [32]byte
		if _, err := rand.Read(raw[:]); err != nil {
			return "", err
		}
		key := "ceop_" + base64.RawURLEncoding.EncodeToString(raw[:])
		if err := os.MkdirAll(f.data, 0o700); err != nil {
			return "", err
		}
		if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
			return "", err
		}
		fmt.Fprintf(stdout, "ledger: created a development operator key in %s\n", path)
		return key, nil
	}
	if err != nil {
		return "", err
	}
	fmt.Fprintf(stdout, "ledger: development operator key in %s\n", path)
	return strings.TrimSpace(string(b)), nil
}
