package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/creditestimator/creditestimator/internal/pgtest"
	"github.com/creditestimator/creditestimator/ledger"
)

// hookReceiver is the platform's webhook endpoint: it verifies every signature, records what
// arrives, and holds the first request it gets until told to let go — so that the process
// sending it can be SIGKILLed mid-delivery, whatever the timing.
type hookReceiver struct {
	t       *testing.T
	secret  string
	mu      sync.Mutex
	got     []hookArrival
	bad     []string
	first   chan string // the User-Agent (process) of the first request
	release chan struct{}
	once    sync.Once
}

type hookArrival struct {
	id, account string
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	secret := h.secret
	h.mu.Unlock()
	wh, err := standardwebhooks.NewWebhook(secret)
	if err == nil {
		err = wh.Verify(body, r.Header) // real clocks here: the timestamp is checked too
	}
	var ev struct {
		Data struct {
			Account string `json:"account"`
			Prompt  any    `json:"prompt"`
		} `json:"data"`
	}
	if err == nil {
		err = json.Unmarshal(body, &ev)
	}
	h.mu.Lock()
	if err != nil {
		h.bad = append(h.bad, err.Error())
	}
	h.got = append(h.got, hookArrival{r.Header.Get("webhook-id"), ev.Data.Account})
	h.mu.Unlock()
	first := false
	h.once.Do(func() { first = true })
	if first {
		h.first <- r.UserAgent()
		<-h.release // its sender is killed meanwhile; this answer goes nowhere
	}
	w.WriteHeader(http.StatusNoContent)
}

// arrivals returns each account's event ids in order of first arrival, and the duplicates.
func (h *hookReceiver) arrivals() (map[string][]string, int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	seen := map[string]bool{}
	out := map[string][]string{}
	dups := 0
	for _, a := range h.got {
		if seen[a.id] {
			dups++
			continue
		}
		seen[a.id] = true
		out[a.account] = append(out[a.account], a.id)
	}
	return out, dups
}

// TestWebhooksAcrossProcessesAndSIGKILL runs the real binary — three processes on one
// PostgreSQL, or one on SQLite restarted — with a receiver; the process sending the first
// delivery is SIGKILLed while the receiver holds it. Every event arrives, in order per account;
// duplicates (at least the killed delivery, sent again once its lease ran out) are counted.
func TestWebhooksAcrossProcessesAndSIGKILL(t *testing.T) {
	for _, n := range []int{2, 3} {
		t.Run(fmt.Sprintf("postgres-%d-processes", n), func(t *testing.T) {
			srv, err := pgtest.Start(false)
			if err != nil {
				if pgtest.InCI() {
					require.Failf(t, "PostgreSQL is required in CI", "%v", err)
				}
				t.Skipf("PostgreSQL unavailable: %v", err)
			}
			t.Cleanup(srv.Stop)
			webhooksAcross(t, srv.URL(), n)
		})
	}
	t.Run("sqlite-restarted", func(t *testing.T) {
		webhooksAcross(t, filepath.Join(t.TempDir(), "ledger.db"), 1)
	})
}

func webhooksAcross(t *testing.T, dsn string, nprocs int) {
	keyFile := filepath.Join(t.TempDir(), "key")
	require.NoError(t, os.WriteFile(keyFile, []byte(crashKey+"\n"), 0o600))
	recv := &hookReceiver{t: t, first: make(chan string, 1), release: make(chan struct{})}
	rs := httptest.NewServer(recv)
	t.Cleanup(rs.Close)
	var releaseOnce sync.Once
	let := func() { releaseOnce.Do(func() { close(recv.release) }) }
	t.Cleanup(func() { recv.once.Do(func() {}); let() })
	flags := []string{"-webhook-timeout", "1s", "-webhook-lease", "2s", "-sweep-every", "200ms"}
	var procs []*ledgerProc
	for i := 0; i < nprocs; i++ {
		procs = append(procs, startLedgerProcWith(t, dsn, keyFile, nil, flags...))
	}
	c := crashClient{url: procs[0].url, hc: &http.Client{Timeout: 20 * time.Second}}
	st, m, ok := c.post("/api/v1/webhooks/endpoints", "ep", `{"url":"`+rs.URL+`/hook"}`)
	require.True(t, ok)
	require.Equal(t, 201, st, "%v", m)
	recv.mu.Lock()
	recv.secret = m["secret"].(string)
	recv.mu.Unlock()

	var accounts []string
	for i := 0; i < 4; i++ {
		c.url = procs[i%nprocs].url
		st, m, _ := c.post("/api/v1/accounts", fmt.Sprint("acct-", i), "")
		require.Equal(t, 201, st)
		accounts = append(accounts, m["account"].(map[string]any)["id"].(string))
	}
	// Jobs on every account through every process.
	for j := 0; j < 8; j++ {
		for i, a := range accounts {
			c.url = procs[(i+j)%nprocs].url
			st, m, _ := c.post("/api/v1/accounts/"+a+"/holds", fmt.Sprintf("h-%d-%d", i, j), `{"spec":{"resolution":"1080p","fps":30,"durationSeconds":10}}`)
			require.Equal(t, 201, st, "%v", m)
			hold := m["hold"].(map[string]any)["id"].(string)
			end := "settle"
			if j%3 == 2 {
				end = "release"
			}
			st, _, _ = c.post("/api/v1/holds/"+hold+"/"+end, fmt.Sprintf("s-%d-%d", i, j), "")
			require.Equal(t, 200, st)
		}
	}

	// The first delivery is held by the receiver: kill the process that sent it.
	var ua string
	select {
	case ua = <-recv.first:
	case <-time.After(60 * time.Second):
		require.FailNow(t, "no delivery arrived")
	}
	pidText := ua[strings.LastIndex(ua, ":")+1 : len(ua)-1]
	pid, err := strconv.Atoi(pidText)
	require.NoError(t, err, ua)
	var killed *ledgerProc
	for _, p := range procs {
		if p.cmd.Process.Pid == pid {
			killed = p
		}
	}
	require.NotNil(t, killed, "the sender %q is one of ours", ua)
	require.NoError(t, killed.cmd.Process.Signal(syscall.SIGKILL))
	<-killed.done
	let()
	if nprocs == 1 { // nobody left: start it again on the same database
		startLedgerProcWith(t, dsn, keyFile, nil, flags...)
	}

	// Every event of every account arrives, in order.
	l, err := ledger.Open(context.Background(), dsn, ledger.Options{})
	require.NoError(t, err)
	defer l.Close()
	want := map[string][]string{}
	total := 0
	for _, a := range accounts {
		evs, err := l.Events(context.Background(), a, 0, 0)
		require.NoError(t, err)
		for _, ev := range evs {
			want[a] = append(want[a], ev.ID)
		}
		total += len(evs)
		require.Len(t, evs, 1+8+0, "a trial grant and a settle or release per job")
	}
	deadline := time.Now().Add(90 * time.Second)
	pollUntil(deadline, func() bool {
		got, _ := recv.arrivals()
		n := 0
		for _, ids := range got {
			n += len(ids)
		}
		return n >= total
	})
	got, dups := recv.arrivals()
	for _, a := range accounts {
		assert.Equal(t, want[a], got[a], "account %s: every event, in order", a)
	}
	recv.mu.Lock()
	assert.Empty(t, recv.bad, "signatures and bodies")
	recv.mu.Unlock()
	t.Logf("%d processes, %d events, %d duplicates (at least once: the killed process's delivery is sent again)", nprocs, total, dups)
	assert.GreaterOrEqual(t, dups, 1)
	// A delivery is marked delivered after the receiver's answer reaches its sender: the last
	// one may still be on its way when the last event has arrived.
	allDelivered := map[string]int{ledger.DeliveryDelivered: total}
	var counts map[string]int
	pollUntil(deadline, func() bool {
		counts, err = l.DeliveryCounts(context.Background())
		require.NoError(t, err)
		return maps.Equal(counts, allDelivered)
	})
	assert.Equal(t, allDelivered, counts)
}

// pollUntil calls done until it reports true or the deadline passes: it waits for an outcome,
// and nothing depends on how long that takes.
func pollUntil(deadline time.Time, done func() bool) {
	for !done() && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
}
