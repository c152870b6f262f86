using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace AutomationStack.Crypto;

/// <summary>Compile-time constants of an odd 256-bit modulus for <see cref="Montgomery{TModulus}"/>.</summary>
internal interface IModulus
{
    /// <summary>Limbs of the modulus m, least significant first.</summary>
    static abstract ulong M0 { get; }

    /// <summary>Limb 1 of m.</summary>
    static abstract ulong M1 { get; }

    /// <summary>Limb 2 of m.</summary>
    static abstract ulong M2 { get; }

    /// <summary>Limb 3 of m.</summary>
    static abstract ulong M3 { get; }

    /// <summary>The modulus m.</summary>
    static abstract U256 Modulus { get; }

    /// <summary>R³ mod m, turns a plain inverse of a Montgomery value back into Montgomery form.</summary>
    static abstract U256 RCubed { get; }

    /// <summary>−m⁻¹ mod 2⁶⁴.</summary>
    static abstract ulong NegInverse0 { get; }

    /// <summary>R² mod m with R = 2²⁵⁶.</summary>
    static abstract U256 RSquared { get; }

    /// <summary>R mod m (1 in Montgomery form).</summary>
    static abstract U256 One { get; }

    /// <summary>m − 2, the Fermat inversion exponent.</summary>
    static abstract U256 InverseExponent { get; }
}

/// <summary>The P-256 field prime p = 2²⁵⁶ − 2²²⁴ + 2¹⁹² + 2⁹⁶ − 1.</summary>
internal readonly struct P256Prime : IModulus
{
    public static ulong M0 => 0xFFFFFFFFFFFFFFFF;

    public static ulong M1 => 0x00000000FFFFFFFF;

    public static ulong M2 => 0x0000000000000000;

    public static ulong M3 => 0xFFFFFFFF00000001;

    public static U256 Modulus => new(M0, M1, M2, M3);

    public static U256 RCubed => new(0xFFFFFFFD0000000A, 0xFFFFFFEDFFFFFFF7, 0x00000005FFFFFFFC, 0x0000001800000001);

    public static ulong NegInverse0 => 1;

    public static U256 RSquared => new(0x0000000000000003, 0xFFFFFFFBFFFFFFFF, 0xFFFFFFFFFFFFFFFE, 0x00000004FFFFFFFD);

    public static U256 One => new(0x0000000000000001, 0xFFFFFFFF00000000, 0xFFFFFFFFFFFFFFFF, 0x00000000FFFFFFFE);

    public static U256 InverseExponent => new(0xFFFFFFFFFFFFFFFD, 0x00000000FFFFFFFF, 0x0000000000000000, 0xFFFFFFFF00000001);
}

/// <summary>The P-256 group order n.</summary>
internal readonly struct P256Order : IModulus
{
    public static ulong M0 => 0xF3B9CAC2FC632551;

    public static ulong M1 => 0xBCE6FAADA7179E84;

    public static ulong M2 => 0xFFFFFFFFFFFFFFFF;

    public static ulong M3 => 0xFFFFFFFF00000000;

    public static U256 Modulus => new(M0, M1, M2, M3);

    public static U256 RCubed => new(0xAC8EBEC90B65A624, 0x111F28AE0C0555C9, 0x2543B9246BA5E93F, 0x503A54E76407BE65);

    public static ulong NegInverse0 => 0xCCD1C8AAEE00BC4F;

    public static U256 RSquared => new(0x83244C95BE79EEA2, 0x4699799C49BD6FA6, 0x2845B2392B6BEC59, 0x66E12D94F3D95620);

    public static U256 One => new(0x0C46353D039CDAAF, 0x4319055258E8617B, 0x0000000000000000, 0x00000000FFFFFFFF);

    public static U256 InverseExponent => new(0xF3B9CAC2FC63254F, 0xBCE6FAADA7179E84, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFF00000000);
}

/// <summary>
/// Arithmetic modulo a 256-bit odd modulus in Montgomery form (R = 2²⁵⁶), four 64-bit limbs, CIOS multiplication.
/// All inputs must be fully reduced (&lt; m); all outputs are fully reduced. No allocation.
/// </summary>
internal static class Montgomery<TModulus>
    where TModulus : struct, IModulus
{
    /// <summary>r = a·b·R⁻¹ mod m.</summary>
    public static void Mul(in U256 a, in U256 b, out U256 r)
    {
        ulong a0 = a.L0, a1 = a.L1, a2 = a.L2, a3 = a.L3;
        ulong t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0;
        Round(a0, a1, a2, a3, b.L0, ref t0, ref t1, ref t2, ref t3, ref t4);
        Round(a0, a1, a2, a3, b.L1, ref t0, ref t1, ref t2, ref t3, ref t4);
        Round(a0, a1, a2, a3, b.L2, ref t0, ref t1, ref t2, ref t3, ref t4);
        Round(a0, a1, a2, a3, b.L3, ref t0, ref t1, ref t2, ref t3, ref t4);
        Finish(t0, t1, t2, t3, t4, out r);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(ulong t0, ulong t1, ulong t2, ulong t3, ulong t4, out U256 r)
    {
        // t < 2m: subtract m once when t ≥ m.
        ulong borrow = 0;
        ulong s0 = U256.Sbb(t0, TModulus.M0, ref borrow);
        ulong s1 = U256.Sbb(t1, TModulus.M1, ref borrow);
        ulong s2 = U256.Sbb(t2, TModulus.M2, ref borrow);
        ulong s3 = U256.Sbb(t3, TModulus.M3, ref borrow);
        _ = U256.Sbb(t4, 0, ref borrow);

        // Borrow out means t < m: keep t.
        ulong keep = 0UL - borrow;
        r.L0 = (t0 & keep) | (s0 & ~keep);
        r.L1 = (t1 & keep) | (s1 & ~keep);
        r.L2 = (t2 & keep) | (s2 & ~keep);
        r.L3 = (t3 & keep) | (s3 & ~keep);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round(ulong a0, ulong a1, ulong a2, ulong a3, ulong bi, ref ulong t0, ref ulong t1, ref ulong t2, ref ulong t3, ref ulong t4)
    {
        // t += a·bi
        ulong c = 0;
        ulong u0 = Mac(a0, bi, t0, ref c);
        ulong u1 = Mac(a1, bi, t1, ref c);
        ulong u2 = Mac(a2, bi, t2, ref c);
        ulong u3 = Mac(a3, bi, t3, ref c);
        ulong u5 = 0;
        ulong u4 = U256.Adc(t4, c, ref u5);

        // t = (t + q·m) / 2⁶⁴ with q chosen so the low limb vanishes.
        ulong q = unchecked(u0 * TModulus.NegInverse0);
        c = 0;
        _ = Mac(q, TModulus.M0, u0, ref c);
        t0 = Mac(q, TModulus.M1, u1, ref c);
        if (TModulus.M2 == 0)
        {
            // p's third limb is zero (folded per modulus by the JIT): skip the multiplication.
            t1 = u2 + c;
            c = t1 < c ? 1UL : 0UL;
        }
        else
        {
            t1 = Mac(q, TModulus.M2, u2, ref c);
        }

        t2 = Mac(q, TModulus.M3, u3, ref c);
        ulong carry = 0;
        t3 = U256.Adc(u4, c, ref carry);
        t4 = u5 + carry;
    }

    /// <summary>Returns low 64 bits of a·b + c + carry; carry receives the high 64 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mac(ulong a, ulong b, ulong c, ref ulong carry)
    {
        ulong hi;
        ulong lo;
        if (Bmi2.X64.IsSupported)
        {
            // High half by MULX, low half by IMUL: keeps both in registers (BigMul's out parameter spills).
            hi = Bmi2.X64.MultiplyNoFlags(a, b);
            lo = unchecked(a * b);
        }
        else
        {
            hi = Math.BigMul(a, b, out lo);
        }

        lo += c;
        hi += lo < c ? 1UL : 0UL;
        lo += carry;
        hi += lo < carry ? 1UL : 0UL;
        carry = hi;
        return lo;
    }

    public static void Sqr(in U256 a, out U256 r) => Mul(a, a, out r);

    /// <summary>r = a + b mod m.</summary>
    public static void Add(in U256 a, in U256 b, out U256 r)
    {
        ulong carry = U256.Add(a, b, out U256 sum);
        ulong borrow = U256.Subtract(sum, TModulus.Modulus, out U256 reduced);

        // Keep the unreduced sum only when there was no carry and the subtraction borrowed.
        ulong keep = 0UL - (borrow & ~carry & 1UL);
        r.L0 = (sum.L0 & keep) | (reduced.L0 & ~keep);
        r.L1 = (sum.L1 & keep) | (reduced.L1 & ~keep);
        r.L2 = (sum.L2 & keep) | (reduced.L2 & ~keep);
        r.L3 = (sum.L3 & keep) | (reduced.L3 & ~keep);
    }

    /// <summary>r = a − b mod m.</summary>
    public static void Sub(in U256 a, in U256 b, out U256 r)
    {
        ulong borrow = U256.Subtract(a, b, out U256 diff);
        U256 m = TModulus.Modulus;
        ulong mask = 0UL - borrow;
        var addend = new U256(m.L0 & mask, m.L1 & mask, m.L2 & mask, m.L3 & mask);
        U256.Add(diff, addend, out r);
    }

    /// <summary>Converts a fully reduced value to Montgomery form.</summary>
    public static void ToMontgomery(in U256 a, out U256 r)
    {
        U256 r2 = TModulus.RSquared;
        Mul(a, r2, out r);
    }

    /// <summary>Converts from Montgomery form to the ordinary representation.</summary>
    public static void FromMontgomery(in U256 a, out U256 r)
    {
        var one = new U256(1, 0, 0, 0);
        Mul(a, one, out r);
    }

    /// <summary>r = a^e (a and r in Montgomery form, e ordinary), 4-bit fixed window.</summary>
    public static void Pow(in U256 a, in U256 e, out U256 r)
    {
        Span<U256> table = stackalloc U256[16];
        table[0] = TModulus.One;
        table[1] = a;
        for (int i = 2; i < 16; i++)
        {
            Mul(table[i - 1], a, out table[i]);
        }

        U256 acc = table[e.Nibble(63)];
        for (int i = 62; i >= 0; i--)
        {
            Sqr(acc, out acc);
            Sqr(acc, out acc);
            Sqr(acc, out acc);
            Sqr(acc, out acc);
            int nibble = e.Nibble(i);
            if (nibble != 0)
            {
                Mul(acc, table[nibble], out acc);
            }
        }

        r = acc;
    }

    /// <summary>r = a⁻¹ by Fermat (a^(m−2)); a in Montgomery form; 0 maps to 0.</summary>
    public static void Invert(in U256 a, out U256 r)
    {
        U256 e = TModulus.InverseExponent;
        Pow(a, e, out r);
    }

    /// <summary>
    /// r = a⁻¹ (a and r in Montgomery form; 0 maps to 0) by the binary extended Euclidean algorithm on limbs.
    /// Variable time (not side-channel hardened), several times faster than <see cref="Invert"/>.
    /// </summary>
    public static void InvertVartime(in U256 a, out U256 r)
    {
        if (a.IsZero)
        {
            r = default;
            return;
        }

        // Invariant: x1·a ≡ u and x2·a ≡ v (mod m).
        U256 u = a;
        U256 v = TModulus.Modulus;
        var x1 = new U256(1, 0, 0, 0);
        U256 x2 = default;
        while (!IsOne(u) && !IsOne(v))
        {
            while ((u.L0 & 1) == 0)
            {
                ShiftRight1(ref u, 0);
                HalveMod(ref x1);
            }

            while ((v.L0 & 1) == 0)
            {
                ShiftRight1(ref v, 0);
                HalveMod(ref x2);
            }

            if (U256.Subtract(u, v, out U256 diff) == 0)
            {
                u = diff;
                Sub(x1, x2, out x1);
            }
            else
            {
                U256.Subtract(v, u, out v);
                Sub(x2, x1, out x2);
            }
        }

        // The plain inverse of a·R is a⁻¹·R⁻¹; Montgomery-multiplying by R³ gives a⁻¹·R.
        U256 rCubed = TModulus.RCubed;
        if (IsOne(u))
        {
            Mul(x1, rCubed, out r);
        }
        else
        {
            Mul(x2, rCubed, out r);
        }
    }

    private static bool IsOne(in U256 x) => x.L0 == 1 && (x.L1 | x.L2 | x.L3) == 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ShiftRight1(ref U256 x, ulong topBit)
    {
        x.L0 = (x.L0 >> 1) | (x.L1 << 63);
        x.L1 = (x.L1 >> 1) | (x.L2 << 63);
        x.L2 = (x.L2 >> 1) | (x.L3 << 63);
        x.L3 = (x.L3 >> 1) | (topBit << 63);
    }

    /// <summary>x = x / 2 mod m (x &lt; m, m odd).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void HalveMod(ref U256 x)
    {
        if ((x.L0 & 1) == 0)
        {
            ShiftRight1(ref x, 0);
        }
        else
        {
            ulong carry = U256.Add(x, TModulus.Modulus, out x);
            ShiftRight1(ref x, carry);
        }
    }

    /// <summary>Reduces a value below 2m (any 256-bit value when m &gt; 2²⁵⁵) to [0, m).</summary>
    public static void ReduceOnce(in U256 a, out U256 r)
    {
        ulong borrow = U256.Subtract(a, TModulus.Modulus, out U256 reduced);
        ulong keep = 0UL - borrow;
        r.L0 = (a.L0 & keep) | (reduced.L0 & ~keep);
        r.L1 = (a.L1 & keep) | (reduced.L1 & ~keep);
        r.L2 = (a.L2 & keep) | (reduced.L2 & ~keep);
        r.L3 = (a.L3 & keep) | (reduced.L3 & ~keep);
    }
}
