// Command otkit solves optimal-transport problems from .npy or CSV files.
//
//	otkit solve --method sinkhorn --x X.npy --y Y.npy --eps 0.01 --json
//	otkit route --scores S.npy --k 80 --out routing.json
//	otkit demo
//
// Every subcommand takes --json (machine-readable output on stdout), --quiet
// (no progress line on stderr) and --workers (goroutines; default all cores).
// Run `otkit help` for the commands and exit codes, `otkit help solve` for
// one command's flags.
//
// Exit status: 0 success; 1 bad input (a file that cannot be read or
// written, malformed data, a problem the solver rejects); 2 usage (an unknown
// command or flag, a flag value out of range or not used by the method, a
// missing required flag); 3 with --strict, a solve whose Status is not
// Converged (the result is still printed).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/otkit/otkit/ot"
)

// Exit statuses.
const (
	exitOK          = 0
	exitBadInput    = 1
	exitUsage       = 2
	exitNotConverge = 3
)

// command is one `otkit NAME` subcommand.
type command struct {
	Name    string
	Summary string
	// Run executes the command. It returns a *usageError for a bad command
	// line, a *strictError for --strict on an unconverged result,
	// flag.ErrHelp after printing its help, any other error for bad input.
	Run func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{}

// registerCommand adds a subcommand; packages' CLI files call it from init.
func registerCommand(c command) {
	if _, dup := commands[c.Name]; dup {
		panic("otkit: command registered twice: " + c.Name)
	}
	commands[c.Name] = c
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// usageError is a command-line mistake: exit status 2 and a hint.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usagef returns a *usageError with a formatted message.
func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// strictError reports a Status other than Converged under --strict: exit
// status 3.
type strictError struct{ status ot.Status }

func (e *strictError) Error() string {
	return fmt.Sprintf("status %v, not Converged (--strict)", e.status)
}
func (e *strictError) Unwrap() error { return e.status.Err() }

// strict returns a *strictError when on and s is not Converged.
func strict(on bool, s ot.Status) error {
	if on && s != ot.Converged {
		return &strictError{s}
	}
	return nil
}

// run executes one command line and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	name := "demo"
	if len(args) > 0 {
		name, args = args[0], args[1:]
	}
	if name == "help" || name == "-h" || name == "--help" || name == "-help" {
		if len(args) == 0 {
			usage(stdout)
			return exitOK
		}
		name, args = args[0], []string{"-h"}
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "otkit: unknown command %q (run 'otkit help')\n", name)
		return exitUsage
	}
	err := c.Run(ctx, args, stdout, stderr)
	var ue *usageError
	var se *strictError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "otkit %s: %v (run 'otkit help %s')\n", name, firstLine(err), name)
		return exitUsage
	case errors.As(err, &se):
		fmt.Fprintf(stderr, "otkit %s: %v\n", name, err)
		return exitNotConverge
	default:
		fmt.Fprintf(stderr, "otkit %s: %v\n", name, firstLine(err))
		return exitBadInput
	}
}

// firstLine keeps a message on one line.
func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

const exitCodesHelp = `exit status:
  0  success
  1  bad input: a file that cannot be read or written, malformed data, a problem the solver rejects
  2  usage: an unknown command or flag, a flag value out of range or not used by the method,
     a missing required flag
  3  with --strict: the solve ended with a Status other than Converged (the result is printed)
`

const commonFlagsHelp = `flags of every command:
  --json         machine-readable output on stdout (one JSON object per line)
  --quiet        no progress line on stderr
  --workers N    goroutines (default: all cores; 0 or 1: one); results do not depend on N
`

func usage(w io.Writer) {
	fmt.Fprintln(w, "otkit: optimal transport from the command line")
	fmt.Fprintln(w, "\nusage: otkit <command> [flags]   (no command runs the demo; 'otkit help <command>' for its flags)")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, n := range names {
		fmt.Fprintf(tw, "  %s\t%s\n", n, commands[n].Summary)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nmethods for solve --method:")
	for _, n := range methodNames() {
		fmt.Fprintf(tw, "  %s\t%s\n", n, methods[n].Summary)
	}
	tw.Flush()
	fmt.Fprintln(w)
	fmt.Fprint(w, commonFlagsHelp)
	fmt.Fprintln(w)
	fmt.Fprint(w, exitCodesHelp)
}

// common are the flags every command takes.
type common struct {
	JSON    bool
	Quiet   bool
	Workers int
}

// newFlagSet returns a flag set with the common flags registered into c.
// Parse it with parse.
func newFlagSet(name string, c *common) *flag.FlagSet {
	fs := flag.NewFlagSet("otkit "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.BoolVar(&c.JSON, "json", false, "machine-readable output on stdout (one JSON object per line)")
	fs.BoolVar(&c.Quiet, "quiet", false, "no progress line on stderr")
	fs.IntVar(&c.Workers, "workers", runtime.NumCPU(), "goroutines (0 or 1: one); results do not depend on it")
	return fs
}

// parse parses args. With -h or --help it prints the command's flags and
// the text extra to stdout and returns flag.ErrHelp; a parse error, a
// positional argument or a negative --workers is a *usageError.
func parse(fs *flag.FlagSet, c *common, args []string, stdout io.Writer, summary, extra string) error {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(stdout, "usage: %s [flags]\n\n%s\n\nflags:\n", fs.Name(), summary)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		if extra != "" {
			fmt.Fprintf(stdout, "\n%s", extra)
		}
		fmt.Fprintf(stdout, "\n%s", exitCodesHelp)
		return flag.ErrHelp
	}
	if err != nil {
		return &usageError{err}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if c.Workers < 0 {
		return usagef("--workers %d: %w: want ≥ 0", c.Workers, ot.ErrParameter)
	}
	return nil
}

// given reports the flags set on the command line.
func given(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}
