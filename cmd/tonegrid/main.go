// Command tonegrid runs the ToneGrid music distribution API and its tools.
//
//	tonegrid serve      run the API and its background workers
//	tonegrid migrate    apply database migrations and seed data
//	tonegrid version    print the version
//
// Configuration comes from TONEGRID_* environment variables (see --help).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/lmittmann/tint"

	"tonegrid"
	"tonegrid/app"
)

// errFlagHelp is flag.ErrHelp, for commands that print their own usage.
var errFlagHelp = flag.ErrHelp

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *environment, args []string) error
}

// environment is what a command gets from the process.
type environment struct {
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
}

var commands = []command{
	{"serve", "run the API and its background workers", runServe},
	{"migrate", "apply database migrations and seed the DSP list", runMigrate},
	{"users", "create a user: users create --email --password --role [--tenant]", runUsers},
	{"version", "print the version", runVersion},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := &environment{getenv: os.Getenv, stdout: os.Stdout, stderr: os.Stderr}
	err := run(ctx, env, os.Args[1:])
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tonegrid:", err)
		os.Exit(1)
	}
}

// run dispatches args to a subcommand.
func run(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(env.stdout)
		if len(args) == 0 {
			return errors.New("no command given")
		}
		return flag.ErrHelp
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(ctx, env, args[1:])
		}
	}
	usage(env.stderr)
	return fmt.Errorf("unknown command %q", args[0])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "ToneGrid: white-label music distribution API.")
	fmt.Fprintln(w, "\nUsage: tonegrid <command> [flags]\n\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'tonegrid <command> --help' for a command's flags.")
	printEnv(w)
}

func printEnv(w io.Writer) {
	fmt.Fprintln(w, "\nEnvironment (all optional):")
	for _, v := range envVars {
		fmt.Fprintf(w, "  %-32s %s (default: %s)\n", v.name, v.meaning, v.def)
	}
}

// newFlagSet returns a flag set whose --help prints the command's summary,
// flags and the environment table.
func newFlagSet(env *environment, name, summary string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.stdout, "Usage: tonegrid %s [flags]\n\n%s\n", name, summary)
		var b strings.Builder
		fs.SetOutput(&b)
		fs.PrintDefaults()
		fs.SetOutput(env.stderr)
		if b.Len() > 0 {
			fmt.Fprintf(env.stdout, "\nFlags:\n%s", b.String())
		}
		printEnv(env.stdout)
	}
	return fs
}

// loadConfig reads the environment and builds the logger it asks for.
func loadConfig(env *environment) (app.Config, *slog.Logger, error) {
	cfg, err := configFromEnv(env.getenv)
	if err != nil {
		return cfg, nil, err
	}
	return cfg, newLogger(env.getenv("TONEGRID_LOG_FORMAT"), env.stderr), nil
}

// newLogger logs JSON, or colored text on a terminal (or when asked).
func newLogger(format string, w io.Writer) *slog.Logger {
	if format == "" {
		format = "json"
		if f, ok := w.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
				format = "text"
			}
		}
	}
	if format == "text" {
		return slog.New(tint.NewHandler(w, &tint.Options{TimeFormat: time.TimeOnly}))
	}
	return slog.New(slog.NewJSONHandler(w, nil))
}

func runServe(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "serve", "Runs the HTTP API and the background workers until SIGINT or SIGTERM, then drains them.\nOn an empty database it migrates, seeds the DSP list and creates the first super_admin.")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, log, err := loadConfig(env)
	if err != nil {
		return err
	}
	db, err := app.OpenDatabase(ctx, cfg)
	if err != nil {
		return err
	}
	a, err := app.New(cfg, db, log)
	if err != nil {
		db.Close()
		return err
	}
	defer a.Close()
	email, generated, err := a.EnsureAdmin(ctx)
	if err != nil {
		return fmt.Errorf("create first admin: %w", err)
	}
	if email != "" {
		if generated != "" {
			fmt.Fprintf(env.stderr, "\nCreated the first super_admin.\n  email:    %s\n  password: %s\nThis password is shown once: store it now.\n\n", email, generated)
		} else {
			log.Info("created the first super_admin", "email", email)
		}
	}
	return a.Serve(ctx)
}

func runMigrate(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "migrate", "Applies every pending database migration and seeds the root tenant and DSP list. Safe to run again.")
	status := fs.Bool("status", false, "list migrations and whether each is applied, without applying any")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, _, err := loadConfig(env)
	if err != nil {
		return err
	}
	if *status {
		return printMigrationStatus(ctx, env, cfg)
	}
	db, err := app.OpenDatabase(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(env.stdout, "database (%s) is up to date\n", db.Dialect())
	return nil
}

func printMigrationStatus(ctx context.Context, env *environment, cfg app.Config) error {
	db, err := app.Connect(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := db.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	sort.Slice(st, func(i, j int) bool { return st[i].Version < st[j].Version })
	for _, m := range st {
		state := "pending"
		if m.Applied {
			state = "applied"
		}
		fmt.Fprintf(env.stdout, "%6d  %-8s %s\n", m.Version, state, m.Name)
	}
	return nil
}

func runVersion(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "version", "Prints the version of this build.")
	if err := fs.Parse(args); err != nil {
		return err
	}
	fmt.Fprintln(env.stdout, "tonegrid", tonegrid.Version)
	return nil
}
