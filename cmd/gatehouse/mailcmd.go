package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"gatehouse/internal/store"
)

// mailUsage is the usage of the mail commands.
const mailUsage = "usage: gatehouse mail suppressions list [--limit N] [--show-addresses] | gatehouse mail suppressions remove <address>"

// parseMail reads the operator's view of the suppression list from the
// arguments, before anything is opened, so a typo never touches the
// database:
//
//	gatehouse mail suppressions list [--limit N] [--show-addresses]
//	gatehouse mail suppressions remove <address>
//
// list prints the addresses mail is no longer sent to (a hard bounce or a
// complaint), newest first, masked unless --show-addresses; remove lifts
// one, after its owner has fixed the mailbox or asked to be written to
// again.
func parseMail(args []string) (outboxOp, error) {
	if len(args) < 2 || args[0] != "suppressions" {
		return nil, errors.New(mailUsage)
	}
	switch args[1] {
	case "list":
		fs := flag.NewFlagSet("mail suppressions list", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		limit := fs.Int("limit", 50, "at most this many addresses")
		show := fs.Bool("show-addresses", false, "print whole addresses instead of masked ones")
		if err := fs.Parse(args[2:]); err != nil {
			return nil, fmt.Errorf("mail suppressions list: %w; %s", err, mailUsage)
		}
		if fs.NArg() > 0 {
			return nil, fmt.Errorf("mail suppressions list: unexpected argument %q", fs.Arg(0))
		}
		if *limit < 1 || *limit > 10000 {
			return nil, fmt.Errorf("mail suppressions list: --limit: want 1 to 10000, got %d", *limit)
		}
		return func(ctx context.Context, st *store.Store, stdout io.Writer) error {
			return suppressionsList(ctx, st, *limit, *show, stdout)
		}, nil
	case "remove":
		if len(args) != 3 || !strings.Contains(args[2], "@") {
			return nil, errors.New("mail suppressions remove: want one email address")
		}
		addr := args[2]
		return func(ctx context.Context, st *store.Store, stdout io.Writer) error {
			if err := st.RemoveSuppression(ctx, addr); err != nil {
				if errors.Is(err, store.ErrNotFound) {
					return fmt.Errorf("mail suppressions remove: %s is not suppressed", addr)
				}
				return err
			}
			fmt.Fprintf(stdout, "%s is no longer suppressed; mail to it is sent again (failed messages: gatehouse outbox retry)\n", addr)
			return nil
		}, nil
	default:
		return nil, fmt.Errorf("unknown mail suppressions command %q; %s", args[1], mailUsage)
	}
}

func suppressionsList(ctx context.Context, st *store.Store, limit int, show bool, stdout io.Writer) error {
	list, err := st.ListSuppressions(ctx, limit)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ADDRESS\tREASON\tSINCE\tDETAIL")
	for _, x := range list {
		addr := x.Address
		if !show {
			addr = maskEmail(addr)
		}
		detail := truncate(oneLine(x.Detail), 60)
		if detail == "" {
			detail = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", addr, x.Reason, x.Since.UTC().Format(time.RFC3339), detail)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintln(stdout, "(no suppressed addresses)")
	}
	return nil
}
