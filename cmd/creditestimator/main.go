// Command creditestimator runs the reference server: the quote API priced by the rate card in
// force (the embedded default, or -ratecard FILE) and the demo pages built into -web.
//
//	creditestimator [-addr 127.0.0.1:8080] [-web web/dist] [-ratecard card.json] [-log-format json|text]
//
// The address comes from -addr, else $ADDR, else $PORT (":$PORT", all interfaces, as container
// platforms expect), else 127.0.0.1:8080. On start it prints "listening on http://HOST:PORT/".
// SIGINT or SIGTERM stop accepting connections and finish the requests in flight first.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/creditestimator/creditestimator/server"
)

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

func defaultAddr(getenv func(string) string) string {
	if a := getenv("ADDR"); a != "" {
		return a
	}
	if p := getenv("PORT"); p != "" {
		return ":" + p
	}
	return "127.0.0.1:8080"
}

func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("creditestimator", flag.ContinueOnError)
	fl.SetOutput(stderr)
	addr := fl.String("addr", defaultAddr(getenv), "listen address (env ADDR, or PORT for :PORT)")
	web := fl.String("web", "web/dist", "directory of the built web assets (make build); empty: API only")
	cardPath := fl.String("ratecard", "", "rate card JSON file to price with instead of the embedded default")
	logFormat := fl.String("log-format", "json", "access log format on stderr: json or text")
	grace := fl.Duration("shutdown-timeout", 25*time.Second, "how long to let requests in flight finish on SIGINT/SIGTERM")
	ledgerOpts := addLedgerFlags(fl, getenv)
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if fl.NArg() > 0 {
		fmt.Fprintf(stderr, "creditestimator: unexpected arguments %q\n", fl.Args())
		return 2
	}
	logger, err := server.NewLogger(stderr, *logFormat, slog.LevelInfo)
	if err != nil {
		fmt.Fprintln(stderr, "creditestimator:", err)
		return 2
	}
	card, err := server.LoadRateCard(*cardPath)
	if err != nil {
		fmt.Fprintln(stderr, "creditestimator:", err)
		return 1
	}
	webDir := *web
	if webDir != "" {
		if _, err := os.Stat(webDir); errors.Is(err, fs.ErrNotExist) {
			logger.Warn("web directory not found; serving the API only (run make build)", "web", webDir)
			webDir = ""
		}
	}
	ledgerCfg, closeLedger, err := openLedger(context.Background(), ledgerOpts, getenv, card, stdout, logger)
	if err != nil {
		fmt.Fprintln(stderr, "creditestimator:", err)
		return 1
	}
	defer closeLedger()
	h, err := server.New(server.Config{Card: card, WebDir: webDir, Logger: logger, Ledger: ledgerCfg})
	if err != nil {
		fmt.Fprintln(stderr, "creditestimator:", err)
		return 1
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(stderr, "creditestimator:", err)
		return 1
	}
	srv := server.NewHTTPServer(*addr, h, server.DefaultTimeouts, logger)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	fmt.Fprintf(stdout, "listening on http://%s/\n", displayAddr(ln.Addr()))
	logger.Info("started", "addr", ln.Addr().String(), "web", webDir,
		"rateCardVersion", card.Version(), "rateCardDigest", card.Digest())

	select {
	case err := <-served:
		logger.Error("server stopped", "error", err.Error())
		return 1
	case <-ctx.Done():
	}
	stop() // a second signal now kills the process the default way
	logger.Info("shutting down: finishing requests in flight", "timeout", grace.String())
	sctx, cancel := context.WithTimeout(context.Background(), *grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		logger.Error("shutdown incomplete; closing remaining connections", "error", err.Error())
		_ = srv.Close()
		return 1
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		logger.Error("server stopped", "error", err.Error())
		return 1
	}
	logger.Info("stopped")
	return 0
}

// displayAddr turns a wildcard listen address into one a browser can open.
func displayAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	if tcp.IP == nil || tcp.IP.IsUnspecified() {
		return net.JoinHostPort("localhost", fmt.Sprint(tcp.Port))
	}
	return tcp.String()
}
