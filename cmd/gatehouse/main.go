// Command gatehouse serves sign-up, sign-in and password recovery.
//
//	gatehouse            serve (the default)
//	gatehouse migrate    apply database migrations and exit
//	gatehouse outbox …   list or retry outbox messages
//	gatehouse users …    list, show and manage accounts
//	gatehouse orgs …     list and show organisations
//	gatehouse mail …     list or lift suppressed addresses
//	gatehouse --help     usage; --version the build's version and commit
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gatehouse:", err)
		if _, ok := errors.AsType[*usageError](err); ok {
			os.Exit(2) // as the flag package does for a wrong command line
		}
		os.Exit(1)
	}
}
