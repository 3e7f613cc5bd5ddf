package lse

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestExpUlp measures the worst error in ulps against a correctly rounded
// reference (exp via math/big with 100 bits of precision, by squaring
// e^(x/2^k) from a Taylor series).
func TestExpUlp(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	var worst float64
	for k := 0; k < 3000; k++ {
		x := -708 + 1416*rng.Float64()
		want := bigExp(x)
		got := Exp(x)
		ulp := math.Nextafter(want, math.Inf(1)) - want
		worst = math.Max(worst, math.Abs(got-want)/ulp)
	}
	t.Logf("worst error %.2f ulp", worst)
	if worst > 1.5 {
		t.Errorf("worst error %.2f ulp > 1.5", worst)
	}
}

func bigExp(x float64) float64 {
	const prec = 120
	const halvings = 20
	y := new(big.Float).SetPrec(prec).SetFloat64(x)
	y.Quo(y, new(big.Float).SetPrec(prec).SetFloat64(math.Ldexp(1, halvings)))
	sum := new(big.Float).SetPrec(prec).SetFloat64(1)
	term := new(big.Float).SetPrec(prec).SetFloat64(1)
	for n := 1; n < 30; n++ {
		term.Mul(term, y)
		term.Quo(term, new(big.Float).SetPrec(prec).SetInt64(int64(n)))
		sum.Add(sum, term)
	}
	for i := 0; i < halvings; i++ {
		sum.Mul(sum, sum)
	}
	f, _ := sum.Float64()
	return f
}
