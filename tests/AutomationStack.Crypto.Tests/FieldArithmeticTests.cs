using System.Numerics;
using Fn = AutomationStack.Crypto.Montgomery<AutomationStack.Crypto.P256Order>;
using Fp = AutomationStack.Crypto.Montgomery<AutomationStack.Crypto.P256Prime>;

namespace AutomationStack.Crypto.Tests;

[TestFixture]
internal sealed class FieldArithmeticTests
{
    private static readonly BigInteger R = BigInteger.One << 256;

    private static IEnumerable<BigInteger> Values(BigInteger m, int seed)
    {
        yield return BigInteger.Zero;
        yield return BigInteger.One;
        yield return 2;
        yield return m - 1;
        yield return m - 2;
        yield return m >> 1;
        yield return (BigInteger.One << 255) % m;
        yield return ((BigInteger.One << 192) - 1) % m;
        var random = new Random(seed);
        var bytes = new byte[32];
        for (int i = 0; i < 400; i++)
        {
            random.NextBytes(bytes);
            yield return TestKeys.FromBytes(bytes) % m;
        }
    }

    [Test]
    public void Constants_Prime_MatchBigInteger()
    {
        Assert.Multiple(() =>
        {
            Assert.That(P256Prime.Modulus.ToBigInteger(), Is.EqualTo(TestKeys.P));
            Assert.That(P256Prime.RSquared.ToBigInteger(), Is.EqualTo(R * R % TestKeys.P));
            Assert.That(P256Prime.One.ToBigInteger(), Is.EqualTo(R % TestKeys.P));
            Assert.That(P256Prime.InverseExponent.ToBigInteger(), Is.EqualTo(TestKeys.P - 2));
            Assert.That(unchecked(P256Prime.NegInverse0 * P256Prime.Modulus.L0), Is.EqualTo(ulong.MaxValue));
        });
    }

    [Test]
    public void Constants_Order_MatchBigInteger()
    {
        Assert.Multiple(() =>
        {
            Assert.That(P256Order.Modulus.ToBigInteger(), Is.EqualTo(TestKeys.N));
            Assert.That(P256Order.RSquared.ToBigInteger(), Is.EqualTo(R * R % TestKeys.N));
            Assert.That(P256Order.One.ToBigInteger(), Is.EqualTo(R % TestKeys.N));
            Assert.That(P256Order.InverseExponent.ToBigInteger(), Is.EqualTo(TestKeys.N - 2));
            Assert.That(unchecked(P256Order.NegInverse0 * P256Order.Modulus.L0), Is.EqualTo(ulong.MaxValue));
        });
    }

    [Test]
    public void PrimeField_MulSqrAddSub_MatchBigInteger()
    {
        BigInteger p = TestKeys.P;
        BigInteger[] values = Values(p, 1).ToArray();
        BigInteger[] others = Values(p, 2).ToArray();
        for (int i = 0; i < values.Length; i++)
        {
            BigInteger a = values[i];
            BigInteger b = others[(i * 7) % others.Length];
            U256 ua = U256.FromBigInteger(a);
            U256 ub = U256.FromBigInteger(b);
            Fp.ToMontgomery(ua, out U256 am);
            Fp.ToMontgomery(ub, out U256 bm);
            Assert.That(am.ToBigInteger(), Is.EqualTo(a * R % p), "to Montgomery");

            Fp.Mul(am, bm, out U256 prod);
            Fp.FromMontgomery(prod, out prod);
            Fp.Sqr(am, out U256 sq);
            Fp.FromMontgomery(sq, out sq);
            Fp.Add(ua, ub, out U256 sum);
            Fp.Sub(ua, ub, out U256 diff);
            Fp.FromMontgomery(am, out U256 back);

            Assert.Multiple(() =>
            {
                Assert.That(prod.ToBigInteger(), Is.EqualTo(a * b % p), "mul");
                Assert.That(sq.ToBigInteger(), Is.EqualTo(a * a % p), "sqr");
                Assert.That(sum.ToBigInteger(), Is.EqualTo((a + b) % p), "add");
                Assert.That(diff.ToBigInteger(), Is.EqualTo((((a - b) % p) + p) % p), "sub");
                Assert.That(back.ToBigInteger(), Is.EqualTo(a), "round trip");
            });
        }
    }

    [Test]
    public void PrimeField_EdgeValues_MatchBigInteger()
    {
        BigInteger p = TestKeys.P;
        BigInteger[] edges = [0, 1, 2, p - 1, p - 2];
        foreach (BigInteger a in edges)
        {
            foreach (BigInteger b in edges)
            {
                U256 ua = U256.FromBigInteger(a);
                U256 ub = U256.FromBigInteger(b);
                Fp.ToMontgomery(ua, out U256 am);
                Fp.ToMontgomery(ub, out U256 bm);
                Fp.Mul(am, bm, out U256 prod);
                Fp.FromMontgomery(prod, out prod);
                Fp.Add(ua, ub, out U256 sum);
                Fp.Sub(ua, ub, out U256 diff);
                Assert.Multiple(() =>
                {
                    Assert.That(prod.ToBigInteger(), Is.EqualTo(a * b % p), $"mul {a} {b}");
                    Assert.That(sum.ToBigInteger(), Is.EqualTo((a + b) % p), $"add {a} {b}");
                    Assert.That(diff.ToBigInteger(), Is.EqualTo((((a - b) % p) + p) % p), $"sub {a} {b}");
                });
            }
        }
    }

    [Test]
    public void PrimeField_Invert_MatchesModPow()
    {
        BigInteger p = TestKeys.P;
        foreach (BigInteger a in Values(p, 3).Where(v => !v.IsZero).Take(100))
        {
            Fp.ToMontgomery(U256.FromBigInteger(a), out U256 am);
            Fp.Invert(am, out U256 inv);
            Fp.Mul(inv, am, out U256 one);
            Fp.FromMontgomery(inv, out inv);
            Assert.Multiple(() =>
            {
                Assert.That(inv.ToBigInteger(), Is.EqualTo(BigInteger.ModPow(a, p - 2, p)));
                Assert.That(one.Equals(P256Prime.One), Is.True);
            });
        }
    }

    [Test]
    public void InvertVartime_RandomAndEdgeValues_MatchModPow()
    {
        foreach ((BigInteger m, int seed) in new[] { (TestKeys.P, 8), (TestKeys.N, 9) })
        {
            foreach (BigInteger a in Values(m, seed).Where(v => !v.IsZero))
            {
                BigInteger expected = BigInteger.ModPow(a, m - 2, m);
                U256 inv;
                if (m == TestKeys.P)
                {
                    Fp.ToMontgomery(U256.FromBigInteger(a), out U256 am);
                    Fp.InvertVartime(am, out inv);
                    Fp.FromMontgomery(inv, out inv);
                }
                else
                {
                    Fn.ToMontgomery(U256.FromBigInteger(a), out U256 am);
                    Fn.InvertVartime(am, out inv);
                    Fn.FromMontgomery(inv, out inv);
                }

                Assert.That(inv.ToBigInteger(), Is.EqualTo(expected), a.ToString("X", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }

    [Test]
    public void InvertVartime_Zero_ReturnsZero()
    {
        Fp.InvertVartime(default, out U256 inv);
        Assert.That(inv.IsZero, Is.True);
    }

    [Test]
    public void PrimeField_InvertZero_ReturnsZero()
    {
        Fp.Invert(default, out U256 inv);
        Assert.That(inv.IsZero, Is.True);
    }

    [Test]
    public void OrderField_MulAddSubInvert_MatchBigInteger()
    {
        BigInteger n = TestKeys.N;
        BigInteger[] values = Values(n, 4).ToArray();
        BigInteger[] others = Values(n, 5).ToArray();
        for (int i = 0; i < values.Length; i++)
        {
            BigInteger a = values[i];
            BigInteger b = others[(i * 11) % others.Length];
            U256 ua = U256.FromBigInteger(a);
            U256 ub = U256.FromBigInteger(b);
            Fn.ToMontgomery(ua, out U256 am);
            Fn.ToMontgomery(ub, out U256 bm);
            Fn.Mul(am, bm, out U256 prod);
            Fn.FromMontgomery(prod, out prod);
            Fn.Add(ua, ub, out U256 sum);
            Fn.Sub(ua, ub, out U256 diff);
            Fn.Invert(am, out U256 inv);
            Fn.FromMontgomery(inv, out inv);
            Assert.Multiple(() =>
            {
                Assert.That(prod.ToBigInteger(), Is.EqualTo(a * b % n), "mul");
                Assert.That(sum.ToBigInteger(), Is.EqualTo((a + b) % n), "add");
                Assert.That(diff.ToBigInteger(), Is.EqualTo((((a - b) % n) + n) % n), "sub");
                Assert.That(inv.ToBigInteger(), Is.EqualTo(BigInteger.ModPow(a, n - 2, n)), "inverse");
            });
        }
    }

    [Test]
    public void ReduceOnce_ValuesUpTo2Pow256_ReduceModN()
    {
        BigInteger n = TestKeys.N;
        BigInteger[] values = [0, 1, n - 1, n, n + 1, (BigInteger.One << 256) - 1, TestKeys.P - 1];
        foreach (BigInteger v in values)
        {
            Fn.ReduceOnce(U256.FromBigInteger(v), out U256 r);
            Assert.That(r.ToBigInteger(), Is.EqualTo(v % n), v.ToString("X", System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Test]
    public void U256_BigEndianRoundTrip_PreservesBytes()
    {
        byte[] bytes = Convert.FromHexString("0102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F20");
        U256 value = U256.FromBigEndian(bytes);
        var back = new byte[32];
        value.WriteBigEndian(back);
        Assert.Multiple(() =>
        {
            Assert.That(back, Is.EqualTo(bytes));
            Assert.That(value.L0, Is.EqualTo(0x191A1B1C1D1E1F20UL));
            Assert.That(value.Nibble(0), Is.EqualTo(0));
            Assert.That(value.Nibble(1), Is.EqualTo(2));
            Assert.That(value.Nibble(63), Is.EqualTo(0));
            Assert.That(value.Nibble(62), Is.EqualTo(1));
        });
    }
}
