using Fp = AutomationStack.Crypto.Montgomery<AutomationStack.Crypto.P256Prime>;

namespace AutomationStack.Crypto;

/// <summary>An affine P-256 point, coordinates in Montgomery form mod p.</summary>
internal struct AffinePoint
{
    public U256 X;
    public U256 Y;
}

/// <summary>A Jacobian P-256 point (x = X/Z², y = Y/Z³), coordinates in Montgomery form mod p; Z = 0 is infinity.</summary>
internal struct JacobianPoint
{
    public U256 X;
    public U256 Y;
    public U256 Z;

    public readonly bool IsInfinity => Z.IsZero;

    public static JacobianPoint Infinity => default;

    public static JacobianPoint FromAffine(in AffinePoint p) => new() { X = p.X, Y = p.Y, Z = P256Prime.One };
}

/// <summary>P-256 (y² = x³ − 3x + b) point arithmetic and fixed-base scalar multiplication.</summary>
internal static class P256Point
{
    /// <summary>Base point G, ordinary (non-Montgomery) coordinates.</summary>
    public static readonly U256 GxPlain = new(0xF4A13945D898C296, 0x77037D812DEB33A0, 0xF8BCE6E563A440F2, 0x6B17D1F2E12C4247);

    public static readonly U256 GyPlain = new(0xCBB6406837BF51F5, 0x2BCE33576B315ECE, 0x8EE7EB4A7C0F9E16, 0x4FE342E2FE1A7F9B);

    /// <summary>Curve coefficient b, ordinary form.</summary>
    public static readonly U256 BPlain = new(0x3BCE3C3E27D2604B, 0x651D06B0CC53B0F6, 0xB3EBBD55769886BC, 0x5AC635D8AA3A93E7);

    private const int Windows = 64;
    private const int WindowSize = 16;

    // table[i * 16 + j] = j · 16^i · G (affine, Montgomery form); j = 0 unused.
    private static readonly Lazy<AffinePoint[]> BaseTable = new(BuildBaseTable, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Forces the one-off construction of the fixed-base table.</summary>
    public static void EnsureTable() => _ = BaseTable.Value;

    /// <summary>r = 2·p (a = −3 doubling, dbl-2001-b). Infinity doubles to infinity.</summary>
    public static void Double(in JacobianPoint p, out JacobianPoint r)
    {
        Fp.Sqr(p.Z, out U256 delta);
        Fp.Sqr(p.Y, out U256 gamma);
        Fp.Mul(p.X, gamma, out U256 beta);

        // alpha = 3 (X − delta)(X + delta)
        Fp.Sub(p.X, delta, out U256 t0);
        Fp.Add(p.X, delta, out U256 t1);
        Fp.Mul(t0, t1, out U256 t2);
        Fp.Add(t2, t2, out U256 alpha);
        Fp.Add(alpha, t2, out alpha);

        // Z3 = (Y + Z)² − gamma − delta
        Fp.Add(p.Y, p.Z, out U256 yz);
        Fp.Sqr(yz, out yz);
        Fp.Sub(yz, gamma, out yz);
        Fp.Sub(yz, delta, out U256 z3);

        // X3 = alpha² − 8 beta
        Fp.Add(beta, beta, out U256 beta2);
        Fp.Add(beta2, beta2, out U256 beta4);
        Fp.Add(beta4, beta4, out U256 beta8);
        Fp.Sqr(alpha, out U256 x3);
        Fp.Sub(x3, beta8, out x3);

        // Y3 = alpha (4 beta − X3) − 8 gamma²
        Fp.Sub(beta4, x3, out U256 y3);
        Fp.Mul(alpha, y3, out y3);
        Fp.Sqr(gamma, out U256 gamma2);
        Fp.Add(gamma2, gamma2, out gamma2);
        Fp.Add(gamma2, gamma2, out gamma2);
        Fp.Add(gamma2, gamma2, out gamma2);
        Fp.Sub(y3, gamma2, out y3);

        r.X = x3;
        r.Y = y3;
        r.Z = z3;
    }

    /// <summary>r = p + q with p Jacobian and q affine (never infinity); handles p = ∞, p = q and p = −q.</summary>
    public static void AddMixed(in JacobianPoint p, in AffinePoint q, out JacobianPoint r)
    {
        if (p.IsInfinity)
        {
            r = JacobianPoint.FromAffine(q);
            return;
        }

        Fp.Sqr(p.Z, out U256 z1z1);
        Fp.Mul(q.X, z1z1, out U256 u2);
        Fp.Mul(q.Y, p.Z, out U256 s2);
        Fp.Mul(s2, z1z1, out s2);
        Fp.Sub(u2, p.X, out U256 h);
        Fp.Sub(s2, p.Y, out U256 rr);

        if (h.IsZero)
        {
            if (rr.IsZero)
            {
                // p == q
                Double(p, out r);
            }
            else
            {
                // p == −q
                r = JacobianPoint.Infinity;
            }

            return;
        }

        Fp.Sqr(h, out U256 hh);
        Fp.Mul(h, hh, out U256 hhh);
        Fp.Mul(p.X, hh, out U256 v);

        // X3 = R² − HHH − 2V
        Fp.Sqr(rr, out U256 x3);
        Fp.Sub(x3, hhh, out x3);
        Fp.Sub(x3, v, out x3);
        Fp.Sub(x3, v, out x3);

        // Y3 = R (V − X3) − Y1 HHH
        Fp.Sub(v, x3, out U256 y3);
        Fp.Mul(rr, y3, out y3);
        Fp.Mul(p.Y, hhh, out U256 t);
        Fp.Sub(y3, t, out y3);

        Fp.Mul(p.Z, h, out U256 z3);

        r.X = x3;
        r.Y = y3;
        r.Z = z3;
    }

    /// <summary>Converts to affine (Montgomery form); false for infinity.</summary>
    public static bool ToAffine(in JacobianPoint p, out AffinePoint a)
    {
        if (p.IsInfinity)
        {
            a = default;
            return false;
        }

        Fp.InvertVartime(p.Z, out U256 zInv);
        Fp.Sqr(zInv, out U256 zInv2);
        Fp.Mul(zInv2, zInv, out U256 zInv3);
        Fp.Mul(p.X, zInv2, out a.X);
        Fp.Mul(p.Y, zInv3, out a.Y);
        return true;
    }

    /// <summary>k·G as Jacobian, using the 4-bit fixed-base table (64 mixed additions, no doublings).</summary>
    public static void MultiplyBase(in U256 k, out JacobianPoint r)
    {
        AffinePoint[] table = BaseTable.Value;
        JacobianPoint acc = JacobianPoint.Infinity;
        for (int i = 0; i < Windows; i++)
        {
            int nibble = k.Nibble(i);
            if (nibble != 0)
            {
                AddMixed(acc, table[(i * WindowSize) + nibble], out acc);
            }
        }

        r = acc;
    }

    /// <summary>The affine x coordinate (ordinary form) of k·G; false when k·G is infinity.</summary>
    public static bool MultiplyBaseX(in U256 k, out U256 x)
    {
        MultiplyBase(k, out JacobianPoint p);
        if (p.IsInfinity)
        {
            x = default;
            return false;
        }

        Fp.InvertVartime(p.Z, out U256 zInv);
        Fp.Sqr(zInv, out U256 zInv2);
        Fp.Mul(p.X, zInv2, out U256 xm);
        Fp.FromMontgomery(xm, out x);
        return true;
    }

    /// <summary>Affine coordinates (ordinary form) of k·G; false when k·G is infinity.</summary>
    public static bool MultiplyBase(in U256 k, out U256 x, out U256 y)
    {
        MultiplyBase(k, out JacobianPoint p);
        if (!ToAffine(p, out AffinePoint a))
        {
            x = default;
            y = default;
            return false;
        }

        Fp.FromMontgomery(a.X, out x);
        Fp.FromMontgomery(a.Y, out y);
        return true;
    }

    /// <summary>True when (x, y) in ordinary form satisfies y² = x³ − 3x + b mod p.</summary>
    public static bool IsOnCurve(in U256 x, in U256 y)
    {
        Fp.ToMontgomery(x, out U256 xm);
        Fp.ToMontgomery(y, out U256 ym);
        Fp.ToMontgomery(BPlain, out U256 bm);
        Fp.Sqr(ym, out U256 lhs);
        Fp.Sqr(xm, out U256 rhs);
        Fp.Mul(rhs, xm, out rhs);
        Fp.Sub(rhs, xm, out rhs);
        Fp.Sub(rhs, xm, out rhs);
        Fp.Sub(rhs, xm, out rhs);
        Fp.Add(rhs, bm, out rhs);
        return lhs.Equals(rhs);
    }

    private static AffinePoint[] BuildBaseTable()
    {
        var table = new AffinePoint[Windows * WindowSize];
        AffinePoint b = default;
        Fp.ToMontgomery(GxPlain, out b.X);
        Fp.ToMontgomery(GyPlain, out b.Y);

        for (int i = 0; i < Windows; i++)
        {
            // b = 16^i · G
            table[(i * WindowSize) + 1] = b;
            JacobianPoint acc = JacobianPoint.FromAffine(b);
            for (int j = 2; j < WindowSize; j++)
            {
                AddMixed(acc, b, out acc);
                ToAffine(acc, out table[(i * WindowSize) + j]);
            }

            AddMixed(acc, b, out acc);
            ToAffine(acc, out b);
        }

        return table;
    }
}
