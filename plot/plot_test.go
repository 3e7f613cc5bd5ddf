package plot

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/gonum/mat"
	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/cmpimg"
	"gonum.org/v1/plot/vg"

	"github.com/otkit/otkit/ot"
)

// Golden images live in testdata/plot at the repository root; regenerate
// them with go test ./plot -regen (the flag of gonum's cmpimg) and look at
// them before committing.
const goldenDir = "../testdata/plot"

func checkGolden(t *testing.T, name string, p *gplot.Plot) {
	t.Helper()
	var buf bytes.Buffer
	if err := WritePNG(&buf, p, 4*vg.Inch, 3*vg.Inch); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join(goldenDir, name+"_golden.png")
	if *cmpimg.GenerateTestData {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	ok, err := cmpimg.EqualApprox("png", buf.Bytes(), want, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		got := filepath.Join(os.TempDir(), "otkit-plot-"+name+".png")
		_ = os.WriteFile(got, buf.Bytes(), 0o644)
		t.Errorf("%s differs from %s; the new image is %s", name, golden, got)
	}
}

// gaussPlan is a dense n×m plan concentrated near the diagonal.
func gaussPlan(n, m int) *ot.DensePlan {
	p := &ot.DensePlan{N: n, M: m, Data: make([]float64, n*m)}
	for i := range n {
		for j := range m {
			d := float64(i)/float64(n) - float64(j)/float64(m)
			p.Data[i*m+j] = math.Exp(-30 * d * d)
		}
	}
	return p
}

func cloud2(rng *rand.Rand, n int, cx, cy float64) [][]float64 {
	x := make([][]float64, n)
	for i := range x {
		x[i] = []float64{cx + rng.NormFloat64(), cy + 0.5*rng.NormFloat64()}
	}
	return x
}

// entropic returns the lazy plan exp(−C/ε) of the squared distances, with
// potentials from a few Sinkhorn sweeps written out here so that the
// pictures do not depend on the solvers.
func entropic(x, y [][]float64, eps float64) *ot.EntropicPlan {
	n, m := len(x), len(y)
	c := make([]float64, n*m)
	for i := range n {
		for j := range m {
			for k := range x[i] {
				d := x[i][k] - y[j][k]
				c[i*m+j] += d * d
			}
		}
	}
	cost, err := ot.NewDenseCost(n, m, c)
	if err != nil {
		panic(err)
	}
	f, g := make([]float64, n), make([]float64, m)
	lse := func(v []float64) float64 {
		hi := math.Inf(-1)
		for _, t := range v {
			hi = math.Max(hi, t)
		}
		s := 0.0
		for _, t := range v {
			s += math.Exp(t - hi)
		}
		return hi + math.Log(s)
	}
	col, row := make([]float64, n), make([]float64, m)
	for range 50 {
		for j := range m {
			for i := range n {
				col[i] = (f[i] - c[i*m+j]) / eps
			}
			g[j] = eps*math.Log(1/float64(m)) - eps*lse(col)
		}
		for i := range n {
			for j := range m {
				row[j] = (g[j] - c[i*m+j]) / eps
			}
			f[i] = eps*math.Log(1/float64(n)) - eps*lse(row)
		}
	}
	return &ot.EntropicPlan{F: f, G: g, Eps: eps, C: cost}
}

func TestGolden(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := cloud2(rng, 12, 0, 0)
	y := cloud2(rng, 15, 4, 1)
	ent := entropic(x, y, 0.5)

	perm := []int{3, 0, 1, 4, 2, 6, 5, 9, 7, 8}
	var trip []ot.Triplet
	for i, j := range perm {
		trip = append(trip, ot.Triplet{I: i, J: j, V: 0.1})
	}
	trip = append(trip, ot.Triplet{I: 2, J: 2, V: 0.03})
	sparse := ot.NewSparsePlan(10, 10, trip)
	xs := cloud2(rng, 10, 0, 0)
	ys := cloud2(rng, 10, 3, 0)

	rng3 := rand.New(rand.NewPCG(3, 4))
	x3, y3 := make([][]float64, 20), make([][]float64, 20)
	for i := range x3 {
		t0 := rng3.Float64() * 2 * math.Pi
		x3[i] = []float64{math.Cos(t0), math.Sin(t0), 0.1 * rng3.NormFloat64(), 0.1 * rng3.NormFloat64()}
		y3[i] = []float64{2 + 0.5*math.Cos(t0), 0.5 * math.Sin(t0), 1, 0}
	}
	x1, y1 := make([][]float64, 8), make([][]float64, 8)
	for i := range x1 {
		x1[i] = []float64{float64(i)}
		y1[i] = []float64{0.5 * float64(7-i)}
	}
	id := make([]ot.Triplet, 8)
	for i := range id {
		id[i] = ot.Triplet{I: i, J: 7 - i, V: 1}
	}

	labels := make([]int, 0, 27)
	for i := range x {
		labels = append(labels, int(math.Round(x[i][1]*0.8+1))%3)
	}
	for j := range y {
		labels = append(labels, int(math.Round((y[j][1]-1)*0.8+1))%3)
	}
	for k := range labels {
		labels[k] = (labels[k] + 3) % 3
	}

	tx := make([][]float64, len(x))
	for i, p := range x {
		tx[i] = []float64{p[0]*0.5 + 3, p[1]*0.5 + 1 + 0.3*p[0]}
	}

	hist := func(rate float64, n int) []float64 {
		h := make([]float64, n)
		for k := range h {
			h[k] = math.Pow(rate, float64(k+1))
		}
		return h
	}
	lambdas := []float64{0.01, 0.03, 0.1, 0.3, 1, 3, 10}
	coefs := make([][]float64, len(lambdas))
	for k, l := range lambdas {
		coefs[k] = []float64{1 / (1 + l), -0.5 / (1 + 3*l), math.Max(0, 0.3-0.2*l)}
	}

	for _, tc := range []struct {
		name string
		make func() (*gplot.Plot, error)
	}{
		{"plan_dense", func() (*gplot.Plot, error) { return Plan(gaussPlan(12, 15), nil) }},
		{"plan_entropic_log", func() (*gplot.Plot, error) { return Plan(ent, &Options{Log: true}) }},
		{"plan_sparse", func() (*gplot.Plot, error) { return Plan(sparse, nil) }},
		{"plan_blocks", func() (*gplot.Plot, error) { return Plan(gaussPlan(200, 300), &Options{MaxCells: 64}) }},
		{"matching", func() (*gplot.Plot, error) { return Matching(x, y, ent, nil) }},
		{"matching_sparse", func() (*gplot.Plot, error) { return Matching(xs, ys, sparse, nil) }},
		{"matching_pca", func() (*gplot.Plot, error) {
			return Matching(mat.NewDense(20, 4, flat(x3)), mat.NewDense(20, 4, flat(y3)), identity(20), nil)
		}},
		{"matching_1d", func() (*gplot.Plot, error) { return Matching(x1, y1, ot.NewSparsePlan(8, 8, id), nil) }},
		{"classes", func() (*gplot.Plot, error) { return Classes(x, y, ent, labels, nil) }},
		{"map", func() (*gplot.Plot, error) { return Map(x, tx, nil) }},
		{"convergence", func() (*gplot.Plot, error) {
			return Convergence([]Run{
				{Name: "plain", Result: &ot.Result{History: hist(0.7, 30)}},
				{Name: "relaxed", Result: &ot.Result{History: append(hist(0.3, 11), 0)}},
			}, nil)
		}},
		{"routing", func() (*gplot.Plot, error) { return Routing([]int{4, 4, 3, 4, 6, 2, 4, 1}, 4, 3, nil) }},
		{"path", func() (*gplot.Plot, error) {
			return Path(lambdas, coefs, &Options{Names: []string{"distance", "angle", "bias"}})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tc.make()
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tc.name, p)
		})
	}
}

func flat(x [][]float64) []float64 {
	var d []float64
	for _, r := range x {
		d = append(d, r...)
	}
	return d
}

func identity(n int) *ot.SparsePlan {
	t := make([]ot.Triplet, n)
	for i := range t {
		t[i] = ot.Triplet{I: i, J: i, V: 1 / float64(n)}
	}
	return ot.NewSparsePlan(n, n, t)
}

// The same matrix as a dense, a sparse and a lazy plan gives the same
// picture.
func TestPlanKindsAgree(t *testing.T) {
	n, m := 7, 9
	rng := rand.New(rand.NewPCG(5, 6))
	c := make([]float64, n*m)
	for k := range c {
		c[k] = rng.Float64() * 3
	}
	cost, err := ot.NewDenseCost(n, m, c)
	if err != nil {
		t.Fatal(err)
	}
	lazy := &ot.EntropicPlan{F: make([]float64, n), G: make([]float64, m), Eps: 0.5, C: cost}
	dense := ot.DenseCopy(lazy)
	dp := &ot.DensePlan{N: n, M: m, Data: dense.RawMatrix().Data}
	var trip []ot.Triplet
	for i := range n {
		for j := range m {
			trip = append(trip, ot.Triplet{I: i, J: j, V: dp.Data[i*m+j]})
		}
	}
	sp := ot.NewSparsePlan(n, m, trip)
	var want []byte
	for k, p := range []ot.Plan{dp, sp, lazy} {
		for _, log := range []bool{false, true} {
			plt, err := Plan(p, &Options{Log: log, Title: "same"})
			if err != nil {
				t.Fatal(err)
			}
			b, err := PNG(plt)
			if err != nil {
				t.Fatal(err)
			}
			if !log {
				if k == 0 {
					want = b
				} else if !bytes.Equal(b, want) {
					t.Errorf("plan kind %d draws a different picture", k)
				}
			}
		}
	}
}

// Block sums keep the plan's mass and put each entry in its block.
func TestBlockSums(t *testing.T) {
	for _, tc := range []struct{ n, m, max, r, c, sr, sc int }{
		{10, 10, 512, 10, 10, 1, 1},
		{1000, 7, 512, 500, 7, 2, 1},
		{1001, 1025, 512, 501, 342, 2, 3},
		{5, 3, 1, 1, 1, 5, 3},
	} {
		p := gaussPlan(tc.n, tc.m)
		g, err := blockSums(p, tc.max)
		if err != nil {
			t.Fatal(err)
		}
		if g.r != tc.r || g.c != tc.c || g.sr != tc.sr || g.sc != tc.sc {
			t.Errorf("%d×%d max %d: got %d×%d blocks of %d×%d, want %d×%d of %d×%d",
				tc.n, tc.m, tc.max, g.r, g.c, g.sr, g.sc, tc.r, tc.c, tc.sr, tc.sc)
		}
		var want, got float64
		for _, v := range p.Data {
			want += v
		}
		for _, v := range g.v {
			got += v
		}
		if math.Abs(got-want) > 1e-9*want {
			t.Errorf("%d×%d: block sums total %v, plan %v", tc.n, tc.m, got, want)
		}
		i, j := tc.n-1, tc.m-1
		if g.v[(i/g.sr)*g.c+j/g.sc] < p.Data[i*tc.m+j] {
			t.Errorf("%d×%d: last entry not in the last block", tc.n, tc.m)
		}
	}
}

// The first principal component of points spread along a direction in 3-D
// is that direction.
func TestPCA(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	dir := []float64{2 / 3.0, -1 / 3.0, 2 / 3.0}
	var x, y [][]float64
	for range 50 {
		s, u := 5*rng.NormFloat64(), 0.1*rng.NormFloat64()
		x = append(x, []float64{s * dir[0], s*dir[1] + u, s*dir[2] - u})
		s = 5 * rng.NormFloat64()
		y = append(y, []float64{s*dir[0] + u, s * dir[1], s * dir[2]})
	}
	dx, _ := rows(x, "x")
	dy, _ := rows(y, "y")
	px, _, xl, yl := planar(dx, dy)
	if xl != "PC1" || yl != "PC2" {
		t.Errorf("labels %q, %q", xl, yl)
	}
	// PC1 coordinate = projection on ±dir (sign: largest entry positive, a
	// tie between dir[0] and dir[2] broken towards the first).
	for i := range x {
		var s float64
		for k := range dir {
			s += x[i][k] * dir[k]
		}
		if math.Abs(math.Abs(px[i][0])-math.Abs(s)) > 0.5 {
			t.Fatalf("point %d: PC1 %v, projection on the spread direction %v", i, px[i][0], s)
		}
	}
}

func TestErrors(t *testing.T) {
	nan := &ot.DensePlan{N: 2, M: 2, Data: []float64{0.25, math.NaN(), 0.25, 0.25}}
	inf := ot.NewSparsePlan(2, 2, []ot.Triplet{{I: 0, J: 1, V: math.Inf(1)}})
	zero := &ot.DensePlan{N: 2, M: 2, Data: make([]float64, 4)}
	ok := &ot.DensePlan{N: 2, M: 2, Data: []float64{0.5, 0, 0, 0.5}}
	pts2 := [][]float64{{0, 0}, {1, 1}}
	pts3 := [][]float64{{0, 0}, {1, 1}, {2, 2}}
	ragged := [][]float64{{0, 0}, {1}}
	badPts := [][]float64{{0, 0}, {math.NaN(), 1}}
	hist := &ot.Result{History: []float64{1, 0.1}}
	for _, tc := range []struct {
		name string
		want error
		make func() (*gplot.Plot, error)
	}{
		{"plan nil", ot.ErrEmpty, func() (*gplot.Plot, error) { return Plan(nil, nil) }},
		{"plan empty", ot.ErrEmpty, func() (*gplot.Plot, error) { return Plan(&ot.DensePlan{}, nil) }},
		{"plan NaN", ot.ErrNonFinite, func() (*gplot.Plot, error) { return Plan(nan, nil) }},
		{"plan Inf sparse", ot.ErrNonFinite, func() (*gplot.Plot, error) { return Plan(inf, &Options{Log: true}) }},
		{"plan zero", ot.ErrZeroMass, func() (*gplot.Plot, error) { return Plan(zero, nil) }},
		{"plan short data", ot.ErrShape, func() (*gplot.Plot, error) { return Plan(&ot.DensePlan{N: 2, M: 2, Data: []float64{1}}, nil) }},
		{"plan bad floor", ot.ErrParameter, func() (*gplot.Plot, error) { return Plan(ok, &Options{Log: true, Floor: 1}) }},
		{"plan bad cells", ot.ErrParameter, func() (*gplot.Plot, error) { return Plan(ok, &Options{MaxCells: -1}) }},
		{"matching rows", ot.ErrShape, func() (*gplot.Plot, error) { return Matching(pts3, pts2, ok, nil) }},
		{"matching cols", ot.ErrShape, func() (*gplot.Plot, error) { return Matching(pts2, pts3, ok, nil) }},
		{"matching dims", ot.ErrShape, func() (*gplot.Plot, error) { return Matching(pts2, [][]float64{{0}, {1}}, ok, nil) }},
		{"matching ragged", ot.ErrShape, func() (*gplot.Plot, error) { return Matching(ragged, pts2, ok, nil) }},
		{"matching NaN point", ot.ErrNonFinite, func() (*gplot.Plot, error) { return Matching(pts2, badPts, ok, nil) }},
		{"matching NaN plan", ot.ErrNonFinite, func() (*gplot.Plot, error) { return Matching(pts2, pts2, nan, nil) }},
		{"matching zero plan", ot.ErrZeroMass, func() (*gplot.Plot, error) { return Matching(pts2, pts2, zero, nil) }},
		{"matching no points", ot.ErrEmpty, func() (*gplot.Plot, error) { return Matching(nil, pts2, ok, nil) }},
		{"matching empty dense", ot.ErrEmpty, func() (*gplot.Plot, error) { return Matching(&mat.Dense{}, &mat.Dense{}, ok, nil) }},
		{"matching nil plan", ot.ErrEmpty, func() (*gplot.Plot, error) { return Matching(pts2, pts2, nil, nil) }},
		{"classes labels", ot.ErrShape, func() (*gplot.Plot, error) { return Classes(pts2, pts2, ok, []int{1}, nil) }},
		{"classes NaN", ot.ErrNonFinite, func() (*gplot.Plot, error) { return Classes(pts2, pts2, nan, []int{0, 1}, nil) }},
		{"map shape", ot.ErrShape, func() (*gplot.Plot, error) { return Map(pts2, pts3, nil) }},
		{"map NaN", ot.ErrNonFinite, func() (*gplot.Plot, error) { return Map(pts2, badPts, nil) }},
		{"map empty", ot.ErrEmpty, func() (*gplot.Plot, error) { return Map([][]float64{}, [][]float64{}, nil) }},
		{"convergence none", ot.ErrEmpty, func() (*gplot.Plot, error) { return Convergence(nil, nil) }},
		{"convergence nil result", ot.ErrEmpty, func() (*gplot.Plot, error) { return Convergence([]Run{{Name: "a"}}, nil) }},
		{"convergence empty", ot.ErrEmpty, func() (*gplot.Plot, error) { return Convergence([]Run{{Result: &ot.Result{}}}, nil) }},
		{"convergence zeros", ot.ErrEmpty, func() (*gplot.Plot, error) {
			return Convergence([]Run{{Result: &ot.Result{History: []float64{0, 0}}}}, nil)
		}},
		{"convergence NaN", ot.ErrNonFinite, func() (*gplot.Plot, error) {
			return Convergence([]Run{{Result: hist}, {Result: &ot.Result{History: []float64{1, math.NaN()}}}}, nil)
		}},
		{"routing empty", ot.ErrEmpty, func() (*gplot.Plot, error) { return Routing(nil, 2, 0, nil) }},
		{"routing negative", ot.ErrParameter, func() (*gplot.Plot, error) { return Routing([]int{1, -1}, 2, 0, nil) }},
		{"routing capacity", ot.ErrParameter, func() (*gplot.Plot, error) { return Routing([]int{1}, -2, 0, nil) }},
		{"path empty", ot.ErrEmpty, func() (*gplot.Plot, error) { return Path(nil, nil, nil) }},
		{"path lengths", ot.ErrShape, func() (*gplot.Plot, error) { return Path([]float64{1, 2}, [][]float64{{1}}, nil) }},
		{"path ragged", ot.ErrShape, func() (*gplot.Plot, error) { return Path([]float64{1, 2}, [][]float64{{1}, {1, 2}}, nil) }},
		{"path lambda", ot.ErrParameter, func() (*gplot.Plot, error) { return Path([]float64{0, 2}, [][]float64{{1}, {2}}, nil) }},
		{"path NaN", ot.ErrNonFinite, func() (*gplot.Plot, error) { return Path([]float64{1, 2}, [][]float64{{1}, {math.NaN()}}, nil) }},
		{"path no coefs", ot.ErrEmpty, func() (*gplot.Plot, error) { return Path([]float64{1}, [][]float64{{}}, nil) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tc.make()
			if !errors.Is(err, tc.want) {
				t.Fatalf("got error %v, want %v", err, tc.want)
			}
			if p != nil {
				t.Errorf("a plot came with the error")
			}
		})
	}
}

func TestWrite(t *testing.T) {
	p, err := Plan(gaussPlan(3, 4), nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, name := range []string{"a.png", "a.svg", "a.PDF"} {
		if err := Save(filepath.Join(dir, name), p); err != nil {
			t.Errorf("Save %s: %v", name, err)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "a.svg"))
	if err != nil || !bytes.Contains(b, []byte("<svg")) {
		t.Errorf("a.svg is not SVG (%v)", err)
	}
	png, err := PNG(p)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Errorf("PNG: %v", err)
	}
	for _, name := range []string{"b.xyz", "noext"} {
		if err := Save(filepath.Join(dir, name), p); err == nil {
			t.Errorf("Save %s: no error", name)
		}
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("Save %s left a file", name)
		}
	}
	if err := WritePNG(&bytes.Buffer{}, nil, 0, 0); !errors.Is(err, ot.ErrEmpty) {
		t.Errorf("nil plot: %v", err)
	}
	// A restyled plot that makes gonum/plot panic gives an error.
	p.X.Scale = gplot.LogScale{}
	p.X.Min = -1
	var buf bytes.Buffer
	if err := WritePNG(&buf, p, 0, 0); err == nil || buf.Len() != 0 {
		t.Errorf("panicking plot: err %v, %d bytes written", err, buf.Len())
	}
}
