// Package pgtest starts a throwaway PostgreSQL server for tests and benchmarks: Debian's
// postgresql package (installed with apt-get when missing and running as root), initdb in a
// temporary folder as the unprivileged postgres user, pg_ctl on a free port, stopped after.
//
// When PostgreSQL cannot be started, Start reports why; callers skip only outside CI: with
// CI=true a missing PostgreSQL is a failure, never a skip.
package pgtest

import (
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// Server is a running throwaway PostgreSQL.
type Server struct {
	dir, bin, data string
	port           int
	asUser         bool
	mu             sync.Mutex
	n              int
}

// InCI reports whether the environment says this is CI (CI=true), where nothing may be skipped.
func InCI() bool { v := os.Getenv("CI"); return v == "true" || v == "1" }

// binDir finds the newest installed PostgreSQL's binaries.
func binDir() (string, error) {
	if p := os.Getenv("PG_BIN"); p != "" {
		return p, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		a, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		b, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return a > b
	})
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errors.New("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin")
}

var installOnce sync.Once

// ensureInstalled installs Debian's postgresql when it is missing and we are root.
func ensureInstalled() (string, error) {
	if d, err := binDir(); err == nil {
		return d, nil
	}
	if os.Geteuid() != 0 {
		return "", errors.New("PostgreSQL is not installed and this is not root: apt-get install -y postgresql")
	}
	var out []byte
	var err error
	installOnce.Do(func() {
		out, err = exec.Command("bash", "-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql").CombinedOutput()
	})
	if err != nil {
		return "", fmt.Errorf("apt-get install postgresql: %v\n%s", err, out)
	}
	return binDir()
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// Start initializes and starts a server in a new temporary folder. fsync stays on when durable
// is set (crash tests); otherwise it is off for speed.
func Start(durable bool) (*Server, error) {
	bin, err := ensureInstalled()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, err
	}
	s := &Server{dir: dir, bin: bin, data: filepath.Join(dir, "data")}
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root: run its tools as the postgres user.
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("no postgres user to run PostgreSQL as: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chmod(dir, 0o755); err != nil {
			return nil, err
		}
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		s.asUser = true
	}
	if out, err := s.run("initdb", "-D", s.data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	fsync := "off"
	if durable {
		fsync = "on"
	}
	for attempt := 0; attempt < 5; attempt++ {
		if s.port, err = freePort(); err != nil {
			return nil, err
		}
		opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=%s -c max_connections=200 -c shared_buffers=64MB", s.port, dir, fsync)
		if !durable {
			opts += " -c synchronous_commit=off -c full_page_writes=off"
		}
		out, err := s.run("pg_ctl", "-D", s.data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "-t", "60", "start")
		if err == nil {
			return s, nil
		}
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		if !strings.Contains(string(log), "could not bind") {
			s.Stop()
			return nil, fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, log)
		}
	}
	s.Stop()
	return nil, errors.New("pg_ctl start: no free port")
}

func (s *Server) run(tool string, args ...string) ([]byte, error) {
	path := filepath.Join(s.bin, tool)
	var cmd *exec.Cmd
	if s.asUser {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = s.dir
	return cmd.CombinedOutput()
}

// URL returns the URL of the server's postgres database.
func (s *Server) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", s.port)
}

// NewDatabase creates a fresh database and returns its URL, so that tests do not share state.
func (s *Server) NewDatabase() (string, error) {
	s.mu.Lock()
	s.n++
	name := fmt.Sprintf("t%d_%d", s.n, time.Now().UnixNano()%1e6)
	s.mu.Unlock()
	db, err := sql.Open("pgx", s.URL())
	if err != nil {
		return "", err
	}
	defer db.Close()
	if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
		return "", fmt.Errorf("create database: %w", err)
	}
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.port, name), nil
}

// Stop stops the server at once and removes its folder.
func (s *Server) Stop() {
	if s == nil {
		return
	}
	_, _ = s.run("pg_ctl", "-D", s.data, "-m", "immediate", "-w", "stop")
	_ = os.RemoveAll(s.dir)
}

// Shared is a test package's one throwaway PostgreSQL, started on first use; stop it in TestMain.
type Shared struct {
	once sync.Once
	srv  *Server
	err  error
}

// NewDatabase returns the URL of a fresh database on the shared server. Without PostgreSQL the
// test fails in CI and is skipped elsewhere.
func (s *Shared) NewDatabase(t testing.TB) string {
	t.Helper()
	s.once.Do(func() { s.srv, s.err = Start(false) })
	if s.err != nil {
		if InCI() {
			t.Fatalf("PostgreSQL is required in CI: %v", s.err)
		}
		t.Skipf("PostgreSQL unavailable: %v", s.err)
	}
	url, err := s.srv.NewDatabase()
	if err != nil {
		t.Fatalf("PostgreSQL: new database: %v", err)
	}
	return url
}

// Stop stops the server if it was started.
func (s *Shared) Stop() { s.srv.Stop() }
