// Command otkit solves optimal-transport problems from .npy or CSV files.
//
//	otkit solve --method sinkhorn --x X.npy --y Y.npy --eps 0.01 --json
//	otkit demo
//
// Run `otkit help` for the list of commands and `otkit solve -h` for flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"text/tabwriter"
)

// command is one `otkit NAME` subcommand.
type command struct {
	Name    string
	Summary string
	Run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
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

// run executes one command line and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	name := "demo"
	if len(args) > 0 {
		name, args = args[0], args[1:]
	}
	if name == "help" || name == "-h" || name == "--help" {
		usage(stdout)
		return 0
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "otkit: unknown command %q (run 'otkit help')\n", name)
		return 2
	}
	if err := c.Run(ctx, args, stdout, stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "otkit %s: %v\n", name, err)
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "otkit: optimal transport from the command line")
	fmt.Fprintln(w, "\nusage: otkit <command> [flags]   (no command runs the demo)")
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
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("otkit "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}
