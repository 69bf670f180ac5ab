package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/creditestimator/creditestimator/ledger"
)

type cpu struct {
	self time.Duration
	db   map[int]int64 // PostgreSQL process → CPU ticks so far
}

// dbSince is the database's CPU time from c0 to c: of the processes alive at c, what they used
// since c0 (all of it for those started since). Processes that ended in between are missed, so
// it is a slight undercount.
func (c cpu) dbSince(c0 cpu) time.Duration {
	var ticks int64
	for pid, t := range c.db {
		ticks += t - c0.db[pid]
	}
	return time.Duration(ticks) * time.Second / 100 // USER_HZ is 100 on Linux
}

// cpuTimes returns the CPU time (user + system) used so far by this process and, for a
// PostgreSQL dsn, by the server's processes (the postmaster and its children, from /proc).
func cpuTimes(dsn string) (cpu, error) {
	c := cpu{db: map[int]int64{}}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return c, err
	}
	c.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	if !ledger.IsPostgresURL(dsn) {
		return c, nil
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return c, err
	}
	defer db.Close()
	var backend int
	if err := db.QueryRow(`SELECT pg_backend_pid()`).Scan(&backend); err != nil {
		return c, err
	}
	postmaster, _, _ := procStat(backend)
	if postmaster <= 0 {
		return c, nil // no /proc: report no database CPU
	}
	pids, _ := filepath.Glob("/proc/[0-9]*")
	for _, p := range pids {
		pid, _ := strconv.Atoi(filepath.Base(p))
		ppid, ticks, ok := procStat(pid)
		if ok && pid != backend && (ppid == postmaster || pid == postmaster) {
			c.db[pid] = ticks
		}
	}
	return c, nil
}

// procStat returns a process's parent and its user + system CPU ticks.
func procStat(pid int) (ppid int, ticks int64, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, 0, false
	}
	f := strings.Fields(s[i+1:]) // f[0] is field 3 (state)
	if len(f) < 13 {
		return 0, 0, false
	}
	ppid, _ = strconv.Atoi(f[1])
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return ppid, ut + st, true
}
