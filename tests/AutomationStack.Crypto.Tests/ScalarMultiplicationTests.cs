using System.Numerics;
using Fp = AutomationStack.Crypto.Montgomery<AutomationStack.Crypto.P256Prime>;

namespace AutomationStack.Crypto.Tests;

[TestFixture]
internal sealed class ScalarMultiplicationTests
{
    private static IEnumerable<BigInteger> EdgeScalars()
    {
        BigInteger n = TestKeys.N;
        for (int i = 1; i <= 40; i++)
        {
            yield return i;
        }

        yield return n - 1;
        yield return n - 2;
        yield return n - 3;
        yield return n - 16;
        yield return n - 17;
        yield return (n - 1) / 2;
        yield return (n + 1) / 2;
        yield return BigInteger.One << 255;
        yield return (BigInteger.One << 255) - 1;
        yield return (BigInteger.One << 255) + 1;
        for (int shift = 4; shift < 256; shift += 4)
        {
            yield return BigInteger.One << shift;
            yield return 15 * (BigInteger.One << (shift - 4));
        }

        yield return (BigInteger.One << 252) - 1;
        yield return BigInteger.Parse("0FFFFFFFF00000000FFFFFFFFFFFFFFFF00000000000000000000000000000000", System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static byte[] OurX(BigInteger k)
    {
        Assert.That(P256Point.MultiplyBaseX(U256.FromBigInteger(k), out U256 x), Is.True);
        var bytes = new byte[32];
        x.WriteBigEndian(bytes);
        return bytes;
    }

    [Test]
    public void MultiplyBaseX_EdgeScalars_MatchBclEcdh()
    {
        foreach (BigInteger k in EdgeScalars())
        {
            Assert.That(OurX(k), Is.EqualTo(TestKeys.BclBaseMultiplyX(k)), k.ToString("X", System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Test]
    public void MultiplyBaseX_2000RandomScalars_MatchBclEcdh()
    {
        var random = new Random(6979);
        for (int i = 0; i < 2000; i++)
        {
            BigInteger k = TestKeys.RandomScalar(random);
            Assert.That(OurX(k), Is.EqualTo(TestKeys.BclBaseMultiplyX(k)), $"scalar #{i}");
        }
    }

    [Test]
    public void PublicKey_EdgeScalars_MatchBclDerivation()
    {
        foreach (BigInteger k in EdgeScalars())
        {
            byte[] d = TestKeys.ToBytes32(k);
            using var signer = new DeterministicEcdsaP256(d);
            Assert.That(signer.PublicKey.ToArray(), Is.EqualTo(TestKeys.BclPublicKey(d)), k.ToString("X", System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Test]
    public void PublicKey_2000RandomScalars_MatchBclDerivation()
    {
        var random = new Random(2025);
        for (int i = 0; i < 2000; i++)
        {
            byte[] d = TestKeys.ToBytes32(TestKeys.RandomScalar(random));
            using var signer = new DeterministicEcdsaP256(d);
            Assert.That(signer.PublicKey.ToArray(), Is.EqualTo(TestKeys.BclPublicKey(d)), $"key #{i}");
        }
    }

    [Test]
    public void MultiplyBase_RandomScalars_ResultIsOnCurve()
    {
        var random = new Random(7);
        for (int i = 0; i < 200; i++)
        {
            Assert.That(P256Point.MultiplyBase(U256.FromBigInteger(TestKeys.RandomScalar(random)), out U256 x, out U256 y), Is.True);
            Assert.That(P256Point.IsOnCurve(x, y), Is.True);
        }
    }

    [Test]
    public void MultiplyBase_ZeroAndOrder_GiveInfinity()
    {
        Assert.Multiple(() =>
        {
            Assert.That(P256Point.MultiplyBaseX(default, out _), Is.False);
            Assert.That(P256Point.MultiplyBaseX(U256.FromBigInteger(TestKeys.N), out _), Is.False);
        });
    }

    [Test]
    public void MultiplyBase_OrderPlusOne_GivesGenerator()
    {
        Assert.That(P256Point.MultiplyBase(U256.FromBigInteger(TestKeys.N + 1), out U256 x, out U256 y), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(x.Equals(P256Point.GxPlain), Is.True);
            Assert.That(y.Equals(P256Point.GyPlain), Is.True);
        });
    }

    [Test]
    public void AddMixed_SpecialCases_HandleInfinityEqualAndOpposite()
    {
        AffinePoint g = Generator();
        JacobianPoint gJ = JacobianPoint.FromAffine(g);

        // ∞ + G = G
        P256Point.AddMixed(JacobianPoint.Infinity, g, out JacobianPoint sum);
        P256Point.ToAffine(sum, out AffinePoint a);
        Assert.That(a.X.Equals(g.X) && a.Y.Equals(g.Y), Is.True, "infinity + G");

        // G + G = 2G, via the doubling path, with a non-trivial Z as well.
        P256Point.AddMixed(gJ, g, out JacobianPoint twoG);
        AssertX(twoG, 2);
        P256Point.Double(gJ, out JacobianPoint dbl);
        AssertX(dbl, 2);
        JacobianPoint scaled = Scale(gJ, 12345);
        P256Point.AddMixed(scaled, g, out JacobianPoint twoGScaled);
        AssertX(twoGScaled, 2);

        // G + (−G) = ∞
        AffinePoint minusG = g;
        Fp.Sub(default, g.Y, out minusG.Y);
        P256Point.AddMixed(gJ, minusG, out JacobianPoint zero);
        Assert.That(zero.IsInfinity, Is.True, "G + (−G)");
        P256Point.AddMixed(scaled, minusG, out zero);
        Assert.That(zero.IsInfinity, Is.True, "G + (−G), scaled Z");

        // Doubling infinity stays infinity.
        P256Point.Double(JacobianPoint.Infinity, out JacobianPoint dblInf);
        Assert.That(dblInf.IsInfinity, Is.True);

        // 2G + G = 3G (generic path).
        P256Point.AddMixed(twoG, g, out JacobianPoint threeG);
        AssertX(threeG, 3);
    }

    private static AffinePoint Generator()
    {
        AffinePoint g = default;
        Fp.ToMontgomery(P256Point.GxPlain, out g.X);
        Fp.ToMontgomery(P256Point.GyPlain, out g.Y);
        return g;
    }

    /// <summary>The same point with Jacobian coordinates scaled by λ: (λ²X, λ³Y, λZ).</summary>
    private static JacobianPoint Scale(in JacobianPoint p, ulong lambda)
    {
        Fp.ToMontgomery(new U256(lambda, 0, 0, 0), out U256 l);
        Fp.Sqr(l, out U256 l2);
        Fp.Mul(l2, l, out U256 l3);
        JacobianPoint r = default;
        Fp.Mul(p.X, l2, out r.X);
        Fp.Mul(p.Y, l3, out r.Y);
        Fp.Mul(p.Z, l, out r.Z);
        return r;
    }

    private static void AssertX(in JacobianPoint p, int k)
    {
        Assert.That(P256Point.ToAffine(p, out AffinePoint a), Is.True);
        Fp.FromMontgomery(a.X, out U256 x);
        var bytes = new byte[32];
        x.WriteBigEndian(bytes);
        Assert.That(bytes, Is.EqualTo(TestKeys.BclBaseMultiplyX(k)), $"{k}G");
    }
}
