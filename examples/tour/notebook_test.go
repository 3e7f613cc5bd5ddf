package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"go/format"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/otkit/otkit/examples/tour/gonbui"
)

var update = flag.Bool("update", false, "rewrite the outputs of ../tour.ipynb from a run of its code")

const (
	notebookPath = "../tour.ipynb"
	gonbuiPath   = "github.com/janpfeifer/gonb/gonbui"
	standIn      = "github.com/otkit/otkit/examples/tour/gonbui"
)

// TestNotebook checks the GoNB notebook ../tour.ipynb against this
// program: the files cell*.go must be the notebook's code cells, in order
// (declarations as they are, the body after "%%" as the function cellNN),
// and running the program must give each cell the kinds of output
// committed in the notebook (text where text was, an image where an image
// was). With -update it regenerates cell*.go and the notebook's outputs
// from a run instead.
//
// GoNB conventions used by the notebook: a cell holds top-level declarations
// (imports, types, functions, variables), which later cells see, then a
// line "%%" after which the rest of the cell is the body of main. Lines
// starting with "!" or "%" (shell and kernel commands) are skipped here.
// GoNB's gonbui is replaced by the stand-in ./gonbui, which writes the PNGs
// it is given to files.
func TestNotebook(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the notebook's program")
	}
	raw, err := os.ReadFile(notebookPath)
	if err != nil {
		t.Fatal(err)
	}
	var nb map[string]any
	if err := json.Unmarshal(raw, &nb); err != nil {
		t.Fatal(err)
	}
	cells, _ := nb["cells"].([]any)
	var code []map[string]any
	for _, c := range cells {
		if c := c.(map[string]any); c["cell_type"] == "code" {
			code = append(code, c)
		}
	}
	if len(code) == 0 {
		t.Fatal("no code cells")
	}

	// The Go files the code cells make.
	files := map[string]string{}
	var list strings.Builder
	for k, c := range code {
		decls, body := splitCell(source(c))
		decls = strings.ReplaceAll(decls, `"`+gonbuiPath+`"`, `"`+standIn+`"`)
		src := fmt.Sprintf("// Code generated from ../tour.ipynb (code cell %d) by go test -update; DO NOT EDIT.\n\npackage main\n\n%s\n\nfunc cell%02d() {\n%s\n}\n", k+1, strings.TrimSpace(decls), k+1, body)
		if k == len(code)-1 {
			src += "\n// cells are the notebook's code cells, in order.\nvar cells = []func(){" + list.String() + fmt.Sprintf("cell%02d}\n", k+1)
		} else {
			fmt.Fprintf(&list, "cell%02d, ", k+1)
		}
		b, err := format.Source([]byte(src))
		if err != nil {
			t.Fatalf("code cell %d: %v", k+1, err)
		}
		files[fmt.Sprintf("cell%02d.go", k+1)] = string(b)
	}
	old, _ := filepath.Glob("cell[0-9][0-9].go")
	for _, name := range old {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if *update {
			if err := os.Remove(name); err != nil {
				t.Fatal(err)
			}
		} else if files[name] != string(b) {
			t.Fatalf("%s differs from the notebook's code: run go test ./examples/tour -update", name)
		}
	}
	if *update {
		for name, src := range files {
			writeFile(t, name, src)
		}
	} else if len(old) != len(files) {
		t.Fatalf("%d cell files for %d code cells: run go test ./examples/tour -update", len(old), len(files))
	}

	cmd := exec.Command("go", "run", ".", "-out", t.TempDir())
	cmd.Env = append(os.Environ(), "OTKIT_TOUR_CELLS=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("running the notebook's code: %v\n%s\n%s", err, stdout, stderr.String())
	}
	got := parseRun(t, string(stdout))
	if len(got) != len(code) {
		t.Fatalf("the program ran %d cells, the notebook has %d", len(got), len(code))
	}

	if *update {
		for k, c := range code {
			c["execution_count"] = k + 1
			c["outputs"] = got[k].outputs()
		}
		b, err := json.MarshalIndent(nb, "", " ")
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, notebookPath, string(b)+"\n")
		return
	}
	for k, c := range code {
		want := committedKinds(c)
		if !reflect.DeepEqual(got[k].kinds, want) {
			t.Errorf("code cell %d: outputs %v, the notebook has %v", k+1, got[k].kinds, want)
		}
	}
}

// source returns a cell's source, stored as a string or a list of lines.
func source(c map[string]any) string {
	switch s := c["source"].(type) {
	case string:
		return s
	case []any:
		var b strings.Builder
		for _, l := range s {
			b.WriteString(l.(string))
		}
		return b.String()
	}
	return ""
}

// splitCell separates a GoNB cell into its declarations and the body of
// main (after "%%"), dropping shell and kernel command lines.
func splitCell(src string) (decls, body string) {
	var d, b []string
	inBody := false
	for _, l := range strings.Split(src, "\n") {
		switch tl := strings.TrimSpace(l); {
		case tl == "%%":
			inBody = true
		case strings.HasPrefix(tl, "!") || strings.HasPrefix(tl, "%"):
		case inBody:
			b = append(b, l)
		default:
			d = append(d, l)
		}
	}
	return strings.Join(d, "\n"), strings.Join(b, "\n")
}

// cellRun is what one cell printed and displayed, in order.
type cellRun struct {
	kinds  []string // "stream" or "image/png", consecutive text merged
	texts  []string
	images [][]byte
}

func (r *cellRun) outputs() []any {
	var outs []any
	ti, ii := 0, 0
	for _, k := range r.kinds {
		if k == "stream" {
			outs = append(outs, map[string]any{"name": "stdout", "output_type": "stream", "text": lines(r.texts[ti])})
			ti++
			continue
		}
		outs = append(outs, map[string]any{
			"output_type": "display_data",
			"metadata":    map[string]any{},
			"data":        map[string]any{"image/png": base64.StdEncoding.EncodeToString(r.images[ii])},
		})
		ii++
	}
	if outs == nil {
		outs = []any{}
	}
	return outs
}

func lines(s string) []string {
	ls := strings.SplitAfter(s, "\n")
	if ls[len(ls)-1] == "" {
		ls = ls[:len(ls)-1]
	}
	return ls
}

func parseRun(t *testing.T, stdout string) []*cellRun {
	var runs []*cellRun
	var cur *cellRun
	for _, l := range strings.SplitAfter(stdout, "\n") {
		switch {
		case l == "":
		case strings.TrimSpace(l) == cellMarker:
			cur = &cellRun{}
			runs = append(runs, cur)
		case cur == nil:
			t.Fatalf("output before the first cell: %q", l)
		case strings.HasPrefix(l, gonbui.Prefix):
			path := strings.TrimSpace(strings.TrimPrefix(l, gonbui.Prefix))
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := png.DecodeConfig(bytes.NewReader(b))
			if err != nil || cfg.Width < 100 || cfg.Height < 100 {
				t.Fatalf("displayed image %s is not a picture: %v, %dx%d", path, err, cfg.Width, cfg.Height)
			}
			cur.kinds = append(cur.kinds, "image/png")
			cur.images = append(cur.images, b)
		default:
			if n := len(cur.kinds); n > 0 && cur.kinds[n-1] == "stream" {
				cur.texts[len(cur.texts)-1] += l
			} else {
				cur.kinds = append(cur.kinds, "stream")
				cur.texts = append(cur.texts, l)
			}
		}
	}
	return runs
}

// committedKinds lists the kinds of a code cell's committed outputs, in the
// terms of cellRun.kinds.
func committedKinds(c map[string]any) []string {
	var kinds []string
	outs, _ := c["outputs"].([]any)
	for _, o := range outs {
		o := o.(map[string]any)
		k := fmt.Sprint(o["output_type"])
		if data, ok := o["data"].(map[string]any); ok {
			if _, ok := data["image/png"]; ok {
				k = "image/png"
			}
		}
		if n := len(kinds); k == "stream" && n > 0 && kinds[n-1] == "stream" {
			continue
		}
		kinds = append(kinds, k)
	}
	return kinds
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}
