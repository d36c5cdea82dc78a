package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"gatehouse/internal/store"
)

// outboxOp is one parsed outbox command, run once the database is open.
type outboxOp func(ctx context.Context, st *store.Store, stdout io.Writer) error

// outboxUsage is the usage of the outbox commands.
const outboxUsage = "usage: gatehouse outbox list [--status failed|pending|sent] [--limit N] | gatehouse outbox retry <id>|--all-failed"

// parseOutbox reads the operator's view of the outbox from the arguments,
// before anything is opened, so a typo never touches the database:
//
//	gatehouse outbox list [--status failed|pending|sent] [--limit N]
//	gatehouse outbox retry <id> | --all-failed
//
// list prints messages newest first, recipients masked; retry makes failed
// messages (or a pending one stuck in backoff) due now with a fresh count
// of attempts, for after the cause (a bad key, a suspended domain) is fixed.
func parseOutbox(args []string) (outboxOp, error) {
	if len(args) == 0 {
		return nil, errors.New(outboxUsage)
	}
	switch args[0] {
	case "list":
		return parseOutboxList(args[1:])
	case "retry":
		return parseOutboxRetry(args[1:])
	default:
		return nil, fmt.Errorf("unknown outbox command %q; %s", args[0], outboxUsage)
	}
}

func parseOutboxList(args []string) (outboxOp, error) {
	fs := flag.NewFlagSet("outbox list", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	status := fs.String("status", "", "only messages in this status: failed, pending or sent")
	limit := fs.Int("limit", 50, "at most this many messages")
	if err := fs.Parse(args); err != nil {
		return nil, fmt.Errorf("outbox list: %w; %s", err, outboxUsage)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("outbox list: unexpected argument %q", fs.Arg(0))
	}
	switch *status {
	case "", store.OutboxFailed, store.OutboxPending, store.OutboxSent:
	default:
		return nil, fmt.Errorf("outbox list: --status: want failed, pending or sent, got %q", *status)
	}
	if *limit < 1 || *limit > 10000 {
		return nil, fmt.Errorf("outbox list: --limit: want 1 to 10000, got %d", *limit)
	}
	return func(ctx context.Context, st *store.Store, stdout io.Writer) error {
		return outboxList(ctx, st, *status, *limit, stdout)
	}, nil
}

func outboxList(ctx context.Context, st *store.Store, status string, limit int, stdout io.Writer) error {
	list, err := st.ListOutbox(ctx, status, limit)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tRECIPIENT\tSTATUS\tATTEMPTS\tLAST ERROR\tCREATED")
	for _, m := range list {
		lastErr := truncate(oneLine(m.LastError), 60)
		if lastErr == "" {
			lastErr = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\n", m.ID, m.Kind, maskEmail(m.Recipient), m.Status, m.Attempts,
			lastErr, m.CreatedAt.UTC().Format(time.RFC3339))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintln(stdout, "(no messages)")
	}
	return nil
}

func parseOutboxRetry(args []string) (outboxOp, error) {
	const usage = "outbox retry: want a message id or --all-failed"
	if len(args) != 1 {
		return nil, errors.New(usage)
	}
	if args[0] == "--all-failed" || args[0] == "-all-failed" {
		return func(ctx context.Context, st *store.Store, stdout io.Writer) error {
			n, err := st.RetryOutbox(ctx, store.AllFailed, time.Now())
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%d failed messages queued again\n", n)
			return nil
		}, nil
	}
	id, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil || id <= 0 {
		return nil, errors.New(usage)
	}
	return func(ctx context.Context, st *store.Store, stdout io.Writer) error {
		if _, err := st.RetryOutbox(ctx, id, time.Now()); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("outbox retry: no failed or pending message %d (sent messages cannot be retried)", id)
			}
			return err
		}
		fmt.Fprintf(stdout, "message %d queued again\n", id)
		return nil
	}, nil
}

// maskEmail keeps the first letter and the domain: enough to tell messages
// apart, not enough to copy an address out of a terminal or a ticket.
func maskEmail(addr string) string {
	local, domain := addr, ""
	i := strings.LastIndexByte(addr, '@')
	if i >= 0 {
		local, domain = addr[:i], addr[i+1:]
	}
	first := ""
	if r, size := utf8.DecodeRuneInString(local); size > 0 && r != utf8.RuneError {
		first = string(r)
	}
	if i < 0 {
		return first + "***"
	}
	return first + "***@" + domain
}

// oneLine keeps a table row on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// truncate shortens s to at most n runes, marking the cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
