// Command clearinghouse is the X12 EDI clearinghouse engine. See
// `clearinghouse --help` and the README.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	_ "time/tzdata" // CRON_TZ schedules work without a system zoneinfo

	"github.com/clearinghouse/clearinghouse/internal/cli"
)

func main() {
	restrictUmask()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
