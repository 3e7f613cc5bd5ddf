package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkPicture asserts that path holds a PNG of the given size in pixels
// (.png; width 0: any size) or an SVG document (.svg), not blank.
func checkPicture(t *testing.T, path string, width, height int) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	if strings.HasSuffix(path, ".svg") {
		assert.True(t, bytes.HasPrefix(b, []byte("<?xml")), "SVG header: %.40q", b)
		assert.Contains(t, string(b), "<svg")
		assert.True(t, bytes.HasSuffix(bytes.TrimSpace(b), []byte("</svg>")), "complete SVG")
		return
	}
	require.True(t, bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")), "PNG header: %.16q", b)
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	require.NoError(t, err)
	if width > 0 {
		assert.Equal(t, [2]int{width, height}, [2]int{cfg.Width, cfg.Height}, "picture size")
	}
	img, err := png.Decode(bytes.NewReader(b))
	require.NoError(t, err)
	// Not a blank picture: some pixel is far from white.
	dark := false
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y && !dark; y += 2 {
		for x := bounds.Min.X; x < bounds.Max.X; x += 2 {
			r, g, b, _ := img.At(x, y).RGBA()
			if r+g+b < 3*0x8000 {
				dark = true
				break
			}
		}
	}
	assert.True(t, dark, "the picture is not blank")
}

// dirFiles lists the names in dir.
func dirFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestSolvePlot: --plot writes the plan (cost input: one panel) or the plan
// and the matching side by side (point clouds: two panels), as PNG or SVG.
func TestSolvePlot(t *testing.T) {
	dir := t.TempDir()
	cost := writeText(t, dir, "c.csv", "0,1,4\n1,0,1\n4,1,0\n")
	x := writeText(t, dir, "x.csv", "0,0\n1,0\n0,1\n1,1\n")
	y := writeText(t, dir, "y.csv", "2,0\n3,1\n2,2\n")
	x3 := writeText(t, dir, "x3.csv", "0,0,0\n1,0,1\n0,1,2\n1,1,0\n")
	y3 := writeText(t, dir, "y3.csv", "2,0,1\n3,1,0\n2,2,2\n")
	for _, tc := range []struct {
		name   string
		input  []string
		method string
		out    string
		panels int
	}{
		{"cost png", []string{"--cost", cost}, "exact", "cost.png", 1},
		{"cost svg", []string{"--cost", cost}, "sinkhorn", "cost.svg", 1},
		{"clouds png", []string{"--x", x, "--y", y}, "exact", "clouds.png", 2},
		{"clouds dense plan", []string{"--x", x, "--y", y}, "test-product", "dense.PNG", 2},
		{"clouds svg", []string{"--x", x, "--y", y}, "quadratic", "clouds.svg", 2},
		{"clouds 3-D", []string{"--x", x3, "--y", y3}, "exact", "clouds3.png", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.out)
			args := append([]string{"solve", "--method", tc.method, "--quiet", "--plot", path}, tc.input...)
			code, out, errs := runCLI(args...)
			require.Equal(t, 0, code, errs)
			assert.Contains(t, out, "status          Converged")
			checkPicture(t, path, 576*tc.panels, 432)
		})
	}
}

// TestPlotPathCheckedFirst: a bad --plot extension is a usage error (exit
// 2), a path that cannot be written bad input (exit 1); both are reported
// before solving and leave no file behind.
func TestPlotPathCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	cost := writeText(t, dir, "c.csv", "0,1\n1,0\n")
	scores := writeText(t, dir, "s.csv", moeScoresCSV)
	ro := filepath.Join(dir, "ro")
	require.NoError(t, os.Mkdir(ro, 0o555))
	for _, tc := range []struct {
		name, plot string
		code       int
		want       string
	}{
		{"extension", filepath.Join(dir, "p.jpg"), 2, `unknown extension ".jpg" (want .png or .svg)`},
		{"no extension", filepath.Join(dir, "p"), 2, `unknown extension ""`},
		{"missing dir", filepath.Join(dir, "nope", "p.png"), 1, "does not exist"},
		{"parent is a file", filepath.Join(cost, "p.png"), 1, "is not a directory"},
		{"read-only dir", filepath.Join(ro, "p.svg"), 1, "is not writable"},
	} {
		for _, cmd := range [][]string{
			{"solve", "--method", "test-product", "--cost", cost},
			{"route", "--scores", scores, "--k", "4"},
		} {
			t.Run(tc.name+"/"+cmd[0], func(t *testing.T) {
				if tc.name == "read-only dir" && os.Geteuid() == 0 {
					t.Skip("root writes anywhere")
				}
				before := productSolves.Load()
				code, out, errs := runCLI(append(cmd, "--plot", tc.plot)...)
				assert.Equal(t, tc.code, code, errs)
				assert.Empty(t, out, "nothing done")
				assert.Contains(t, errs, tc.want)
				oneLine(t, errs)
				assert.Equal(t, before, productSolves.Load(), "checked before solving")
				assert.NoFileExists(t, tc.plot)
			})
		}
	}
	assert.ElementsMatch(t, []string{"c.csv", "s.csv", "ro"}, dirFiles(t, dir), "nothing left behind")
}

// TestRoutePlot: route --plot draws the expert loads, for every router and
// for tokens-choose-experts routing.
func TestRoutePlot(t *testing.T) {
	dir := t.TempDir()
	scores := writeText(t, dir, "s.csv", moeScoresCSV)
	for _, args := range [][]string{
		{"--router", "ot", "--k", "4"},
		{"--router", "greedy", "--k", "3"},
		{"--router", "sinkhorn", "--k", "4"},
		{"--router", "ot", "--k", "1", "--row-sparse"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			for _, ext := range []string{".png", ".svg"} {
				path := filepath.Join(dir, "loads"+ext)
				code, _, errs := runCLI(append([]string{"route", "--scores", scores, "--json", "--plot", path}, args...)...)
				require.Equal(t, 0, code, errs)
				checkPicture(t, path, 576, 432)
			}
		})
	}
}

// demoFiles are the files `otkit demo --out DIR` writes.
var demoFiles = []string{"captions.txt", "convergence.png", "matching.png", "plans.png", "routing.png"}

// TestDemoPictures: demo --out writes exactly its pictures and
// captions.txt, one caption line per picture, also printed.
func TestDemoPictures(t *testing.T) {
	dir := t.TempDir()
	other := writeText(t, dir, "keep.txt", "not the demo's")
	out := filepath.Join(dir, "pics", "demo") // created, parents too
	code, stdout, errs := runCLI("demo", "--out", out, "--workers", "2")
	require.Equal(t, 0, code, errs)
	assert.ElementsMatch(t, demoFiles, dirFiles(t, out), "exactly the pictures and captions.txt")
	for _, name := range demoFiles[1:] {
		checkPicture(t, filepath.Join(out, name), 0, 0)
	}
	// Single panels have plot's default size; the routing picture two
	// panels side by side.
	checkPicture(t, filepath.Join(out, "matching.png"), 576, 432)
	checkPicture(t, filepath.Join(out, "convergence.png"), 576, 432)
	checkPicture(t, filepath.Join(out, "routing.png"), 2*432, 360)
	captions, err := os.ReadFile(filepath.Join(out, "captions.txt"))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(string(captions), "\n"), "\n")
	require.Len(t, lines, len(demoFiles)-1)
	for k, l := range lines {
		name, caption, ok := strings.Cut(l, ": ")
		require.True(t, ok, "name: caption, got %q", l)
		assert.Contains(t, demoFiles, name)
		assert.Contains(t, stdout, caption, "caption %d printed", k)
		assert.True(t, strings.HasSuffix(caption, "."), "one sentence: %q", caption)
	}
	assert.Contains(t, string(captions), "plans.png: Transport plans of the 60 × 40 point-cloud problem")
	assert.FileExists(t, other, "other files stay")
	assert.ElementsMatch(t, []string{"keep.txt", "pics"}, dirFiles(t, dir))

	// Again into the same directory: the pictures are replaced, byte for
	// byte the same (fixed seeds, results independent of --workers).
	first, err := os.ReadFile(filepath.Join(out, "plans.png"))
	require.NoError(t, err)
	code, stdout, errs = runCLI("demo", "--out", out, "--workers", "1", "--json")
	require.Equal(t, 0, code, errs)
	again, err := os.ReadFile(filepath.Join(out, "plans.png"))
	require.NoError(t, err)
	assert.Equal(t, first, again, "deterministic pictures")
	assert.ElementsMatch(t, demoFiles, dirFiles(t, out))
	pictures := 0
	for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var v map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &v), "JSON line %q", l)
		if _, ok := v["picture"]; ok {
			pictures++
			assert.NotEmpty(t, v["caption"])
		}
	}
	assert.Equal(t, len(demoFiles)-1, pictures, "one JSON line per picture")
}

// TestDemoOut: --out "" draws nothing; an --out that cannot be a directory
// is bad input (exit 1), reported before solving, leaving nothing behind.
func TestDemoOut(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	code, out, errs := runCLI("demo", "--out", "")
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "token routing")
	assert.NotContains(t, out, "pictures")
	assert.Empty(t, dirFiles(t, dir), "no pictures")

	file := writeText(t, dir, "f", "")
	ro := filepath.Join(dir, "ro")
	require.NoError(t, os.Mkdir(ro, 0o555))
	for _, tc := range []struct{ name, out, want string }{
		{"file", file, "not a directory"},
		{"under a file", filepath.Join(file, "pics"), "not a directory"},
		{"read-only dir", ro, "not writable"},
		{"under a read-only dir", filepath.Join(ro, "pics"), "permission denied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if strings.Contains(tc.name, "read-only") && os.Geteuid() == 0 {
				t.Skip("root writes anywhere")
			}
			code, out, errs := runCLI("demo", "--out", tc.out)
			assert.Equal(t, 1, code, errs)
			assert.Empty(t, out, "checked before solving")
			assert.Contains(t, errs, tc.want)
			oneLine(t, errs)
		})
	}
	assert.ElementsMatch(t, []string{"f", "ro"}, dirFiles(t, dir))
	assert.Empty(t, dirFiles(t, ro))
}
