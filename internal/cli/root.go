// Package cli implements the clearinghouse command line (cobra). It is the
// only place that reads flags, environment and configuration files; it
// builds each component from its Config and wires them together.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/clearinghouse/clearinghouse/internal/config"
)

// ExitError carries a process exit status out of a command.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// exitCode returns an error that makes Main exit with code, printing
// nothing more.
func exitCode(code int) error { return &ExitError{Code: code} }

// usageError marks a command-line usage problem (exit 2).
func usageError(format string, args ...any) error {
	return &ExitError{Code: 2, Err: fmt.Errorf(format, args...)}
}

type app struct {
	ctx        context.Context
	stdout     io.Writer
	stderr     io.Writer
	configPath string
	dataDir    string
	database   string
	logLevel   string
	logger     *slog.Logger
	prof       profiler
	prog       progressState
	// batch is set by the batch commands that show byte progress bars
	// while files are processed (process, submit, files release): not
	// run, cycle or the portal, whose stderr carries logs.
	batch bool
	// tty, when set, says whether stderr is a terminal (tests).
	tty func() bool
}

// loadConfig reads the configuration with the global flags applied.
func (a *app) loadConfig() (config.Config, error) {
	cfg, err := config.Load(a.configPath)
	if err != nil {
		return cfg, err
	}
	if a.dataDir != "" {
		if cfg.Database == "sqlite:"+filepath.Join(cfg.DataDir, "clearinghouse.db") {
			cfg.Database = "sqlite:" + filepath.Join(a.dataDir, "clearinghouse.db")
		}
		cfg.DataDir = a.dataDir
	}
	if a.database != "" {
		cfg.Database = a.database
	}
	return cfg, cfg.Validate()
}

// Main runs the command line with args and returns the exit status.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := &app{ctx: ctx, stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:           "clearinghouse",
		Short:         "X12 EDI clearinghouse engine: 837P/837I intake, validation, acknowledgments, repricing and forwarding",
		Version:       Version(),
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			var level slog.Level
			if err := level.UnmarshalText([]byte(a.logLevel)); err != nil {
				return usageError("--log-level: %v", err)
			}
			a.logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
			slog.SetDefault(a.logger)
			return a.prof.start()
		},
	}
	root.SetVersionTemplate("clearinghouse {{.Version}}\n")
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetContext(ctx)
	pf := root.PersistentFlags()
	pf.StringVar(&a.configPath, "config", "", "YAML configuration file (default: built-in defaults)")
	pf.StringVar(&a.dataDir, "data-dir", "", "data directory for SQLite, spool and local outboxes (default ./var)")
	pf.StringVar(&a.database, "database", "", "database URL: postgres://... or sqlite:PATH (default sqlite under --data-dir)")
	pf.StringVar(&a.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	pf.StringVar(&a.prof.cpuPath, "cpuprofile", "", "write a CPU profile (pprof) of the command to this file")
	pf.StringVar(&a.prof.tracePath, "trace", "", "write an execution trace (go tool trace) of the command to this file")
	pf.StringVar(&a.prof.memPath, "memprofile", "", "write a heap profile (pprof, allocations and in-use) to this file when the command ends")
	root.AddCommand(
		a.validateCmd(),
		a.translateCmd(),
		a.genCmd(),
		a.migrateCmd(),
		a.processCmd(),
		a.cycleCmd(),
		a.runCmd(),
		a.filesCmd(),
		a.fileCmd(),
		a.reprocessCmd(),
		a.demoCmd(),
		a.scheduleCmd(),
		a.rosterCmd(),
		a.claimsCmd(),
		a.claimCmd(),
		a.repriceCmd(),
		a.eligibilityCmd(),
		a.statusCmd(),
		a.partnerCmd(),
		a.serveCmd(),
		a.spoolCmd(),
		a.remitsCmd(),
		a.remitCmd(),
		a.eraCmd(),
		a.eopCmd(),
		a.portalCmd(),
		a.userCmd(),
		a.auditCmd(),
	)
	root.AddCommand(a.csvCommands()...)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &ExitError{Code: 2, Err: err} })
	err := root.Execute()
	if perr := a.prof.stop(); perr != nil && err == nil {
		err = perr
	}
	if err == nil {
		return 0
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		if ee.Err != nil {
			fmt.Fprintln(stderr, "clearinghouse:", ee.Err)
		}
		return ee.Code
	}
	fmt.Fprintln(stderr, "clearinghouse:", err)
	if isUsage(err) {
		return 2
	}
	return 1
}

// isUsage recognises cobra's own usage errors (unknown command or flag).
func isUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires at least", "invalid argument"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}
