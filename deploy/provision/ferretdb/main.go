// Command ferretdb-sqlite runs an embedded FerretDB (MongoDB wire protocol)
// with the SQLite backend on a single TCP address. It is used by
// deploy/provision/ferretdb.sh to give tests a real MongoDB-wire server.
//
// A plain `go install github.com/FerretDB/FerretDB/cmd/ferretdb` binary panics
// at start when built outside FerretDB's own build (upstream issue #2982), so we
// wrap the embeddable package github.com/FerretDB/FerretDB/ferretdb instead.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen-addr", "127.0.0.1:27018", "TCP address to listen on")
	dataDir := flag.String("data-dir", "data", "directory for SQLite database files")
	logLevel := flag.String("log-level", "info", "log level: debug, info, warn or error")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "invalid -log-level %q: %v\n", *logLevel, err)
		os.Exit(2)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(logger)

	dir, err := filepath.Abs(*dataDir)
	if err != nil {
		logger.Error("cannot resolve data dir", "error", err)
		os.Exit(1)
	}
	if err = os.MkdirAll(dir, 0o755); err != nil {
		logger.Error("cannot create data dir", "error", err)
		os.Exit(1)
	}

	// The SQLite handler takes a directory URI that must end with a slash;
	// escape the path so directories with spaces or '%' survive url.Parse.
	sqliteURL := "file:" + (&url.URL{Path: dir + "/"}).EscapedPath()

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: sqliteURL,
	})
	if err != nil {
		logger.Error("cannot start FerretDB", "error", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	logger.Info("FerretDB starting", "listen", *listen, "data_dir", dir)
	if err = f.Run(ctx); err != nil {
		logger.Error("FerretDB stopped with error", "error", err)
		os.Exit(1)
	}
	logger.Info("FerretDB stopped")
}
