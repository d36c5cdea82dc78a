package main

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"time"
)

// usage is what --help prints, and what a wrong command is answered with.
const usage = `Gatehouse serves sign-up, sign-in and password recovery.

Usage:
  gatehouse [serve]                 serve the pages (the default); metrics on METRICS_ADDR
  gatehouse migrate                 apply the database migrations and exit
  gatehouse outbox list [--status failed|pending|sent] [--limit N]
  gatehouse outbox retry <id> | --all-failed
  gatehouse keys rotate             add a new identity-token signing key (it signs 5 minutes later,
                                    once platforms can have fetched it; the old one stays published
                                    until its tokens have expired)
  gatehouse users list [--status pending|active|disabled] [--q TEXT] [--limit N] [--json]
  gatehouse users show|disable|enable|delete|resend-activation|end-sessions|unlock|reset-2fa|approve|decline EMAIL [--json]
  gatehouse orgs list [--q TEXT] [--limit N] [--json]
  gatehouse orgs show ID|NAME|DOMAIN [--json]
  gatehouse operators add|remove EMAIL [--json]   grant or remove the console (the account must be active)
  gatehouse operators list [--json]
  gatehouse audit export --since WHEN [--until WHEN] [--format csv|json] [--user EMAIL] [--org ORG] [--kind K,…]
  gatehouse mail suppressions list [--limit N] [--show-addresses]
  gatehouse mail suppressions remove <address>
  gatehouse --help | -h             print this and exit
  gatehouse --version               print the version and exit

Settings come from environment variables (see the README, or .env.example).
--help and --version read none of them and open nothing.
`

// version and commit are set by a release build that has no VCS data, such
// as the Dockerfile's (-ldflags "-X main.version=… -X main.commit=…");
// otherwise they come from the build info Go stamps into the binary.
var version, commit string

// command is what the arguments ask for. It is decided before the
// configuration is read or the database opened, so asking for help, or
// mistyping, never migrates the database it points at.
type command struct {
	name   string   // serve, migrate, outbox, mail, keys, users, orgs, operators, audit, help or version
	outbox outboxOp // for outbox and mail
	users  usersOp  // for users, orgs, operators and audit
}

// usageError is a wrong command line; main exits 2 on it, as the flag
// package does.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// parseCommand reads args (args[0] is the program) without side effects.
func parseCommand(args []string) (command, error) {
	rest := args[min(1, len(args)):]
	for _, a := range rest {
		switch a {
		case "-h", "-help", "--help":
			return command{name: "help"}, nil
		}
	}
	if len(rest) == 0 {
		return command{name: "serve"}, nil
	}
	wrong := func(format string, a ...any) (command, error) {
		return command{}, &usageError{fmt.Sprintf(format, a...) + "\n\n" + usage}
	}
	switch name := rest[0]; name {
	case "-version", "--version", "version":
		if len(rest) > 1 {
			return wrong("%s takes no arguments", name)
		}
		return command{name: "version"}, nil
	case "serve", "migrate":
		if len(rest) > 1 {
			return wrong("%s takes no arguments, got %q", name, rest[1])
		}
		return command{name: name}, nil
	case "keys":
		if len(rest) != 2 || rest[1] != "rotate" {
			return wrong("keys: want keys rotate")
		}
		return command{name: name}, nil
	case "outbox":
		op, err := parseOutbox(rest[1:])
		if err != nil {
			return command{}, &usageError{err.Error()}
		}
		return command{name: name, outbox: op}, nil
	case "operators", "audit":
		var op usersOp
		var err error
		if name == "operators" {
			op, err = parseOperators(rest[1:])
		} else {
			op, err = parseAudit(rest[1:], time.Now)
		}
		if err != nil {
			return command{}, &usageError{err.Error()}
		}
		return command{name: name, users: op}, nil
	case "users", "orgs":
		var op usersOp
		var err error
		if name == "users" {
			op, err = parseUsers(rest[1:])
		} else {
			op, err = parseOrgs(rest[1:])
		}
		if err != nil {
			return command{}, &usageError{err.Error()}
		}
		return command{name: name, users: op}, nil
	case "mail":
		op, err := parseMail(rest[1:])
		if err != nil {
			return command{}, &usageError{err.Error()}
		}
		return command{name: name, outbox: op}, nil
	default:
		if strings.HasPrefix(name, "-") {
			return wrong("unknown flag %q", name)
		}
		return wrong("unknown command %q (want serve, migrate, outbox, mail, keys, users, orgs, operators or audit)", name)
	}
}

// printVersion writes the version, the commit and the Go release, from
// what the build recorded: a module version for `go install …@v1.2.3`,
// vcs.revision and vcs.modified for a build in a checkout.
func printVersion(w io.Writer) {
	v, rev, dirty, goVersion := version, commit, false, "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		goVersion = bi.GoVersion
		if v == "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if rev == "" {
					rev = s.Value
				}
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	if rev == "" {
		rev = "unknown"
	}
	if dirty {
		rev += " (modified)"
	}
	fmt.Fprintf(w, "gatehouse %s\ncommit %s\n%s\n", v, rev, goVersion)
}
